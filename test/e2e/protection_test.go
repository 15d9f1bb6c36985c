package e2e

import (
	"strings"
	"testing"
)

const protectedSensor = `
apiVersion: prodlife.dev/v1alpha1
kind: IoTProduct
metadata:
  name: vault-sensor
spec:
  productName: vault_sensor
  region: cn-shanghai
  deletionProtection: true
  credentialsSecretRef:
    name: alibaba-credentials
`

// What a user gets from kubectl when deleting a protected product: a refusal that says how to
// proceed, and nothing deleted until they do.
func TestAProtectedProductRefusesKubectlDeleteUntilTheFlagIsCleared(t *testing.T) {
	s := environment(t)
	ns := s.namespace(t, "e2e-protected")
	s.kubectl.runWithInput(t, protectedSensor, "apply", "--server-side", "-n", ns, "-f", "-")
	s.kubectl.run(t, "wait", "-n", ns, "--for=condition=Ready", "--timeout=60s", "iotproduct/vault-sensor")
	productKey := s.kubectl.run(t, "get", "-n", ns, "iotproduct/vault-sensor", "-o", "jsonpath={.status.productKey}")

	refusal := s.kubectl.fail(t, "delete", "-n", ns, "iotproduct/vault-sensor")
	t.Logf("kubectl said: %s", refusal)
	for _, want := range []string{
		"IoTProduct " + ns + "/vault-sensor has spec.deletionProtection: true",
		`kubectl patch iotproduct vault-sensor -n ` + ns + ` --type merge -p '{"spec":{"deletionProtection":false}}'`,
	} {
		if !strings.Contains(refusal, want) {
			t.Errorf("kubectl delete's refusal does not say %q:\n%s", want, refusal)
		}
	}
	if ts := s.kubectl.run(t, "get", "-n", ns, "iotproduct/vault-sensor", "-o", "jsonpath={.metadata.deletionTimestamp}"); ts != "" {
		t.Fatalf("the protected object is being deleted (deletionTimestamp %s)", ts)
	}
	if _, ok := s.alibaba.products(t)[productKey]; !ok || len(s.alibaba.deleteCalls(t, productKey)) != 0 {
		t.Fatalf("IoT platform: product %s touched by a refused delete", productKey)
	}

	s.kubectl.run(t, "patch", "-n", ns, "iotproduct/vault-sensor", "--type", "merge", "-p", `{"spec":{"deletionProtection":false}}`)
	s.kubectl.run(t, "delete", "-n", ns, "iotproduct/vault-sensor", "--wait=false")
	s.kubectl.run(t, "wait", "-n", ns, "--for=delete", "--timeout=60s", "iotproduct/vault-sensor")
	if _, ok := s.alibaba.products(t)[productKey]; ok {
		t.Fatalf("IoT platform: product %s still there after the delete was allowed", productKey)
	}
}
