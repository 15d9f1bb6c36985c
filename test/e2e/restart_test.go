package e2e

import (
	"context"
	"testing"
	"time"
)

const restartSensors = `
apiVersion: prodlife.dev/v1alpha1
kind: IoTProduct
metadata:
  name: settled-sensor
spec:
  productName: settled_sensor
  description: Read before the restart
  region: cn-shanghai
  nodeType: Device
  credentialsSecretRef:
    name: alibaba-credentials
---
apiVersion: prodlife.dev/v1alpha1
kind: IoTProduct
metadata:
  name: changed-sensor
spec:
  productName: changed_sensor
  description: Changed while the operator was down
  region: cn-shanghai
  nodeType: Device
  credentialsSecretRef:
    name: alibaba-credentials
`

// A manager that starts (an upgrade, a new leader) reads again at once only what needs it: a
// product read matching its spec less than a sync period ago waits for the end of that
// period, as it would have without the restart, while a resource changed meanwhile is
// reconciled at once. At 5,000 products a restart used to read all 5,000 in its first
// minutes, and write the status of each.
func TestARestartedManagerReadsAgainOnlyWhatIsDue(t *testing.T) {
	s := environment(t)
	ns := s.namespace(t, "e2e-restart")
	s.kubectl.runWithInput(t, restartSensors, "apply", "--server-side", "-n", ns, "-f", "-")
	s.kubectl.run(t, "wait", "-n", ns, "--for=condition=Ready", "--timeout=60s", "iotproduct/settled-sensor", "iotproduct/changed-sensor")
	settled := s.kubectl.run(t, "get", "-n", ns, "iotproduct/settled-sensor", "-o", "jsonpath={.status.productKey}")
	changed := s.kubectl.run(t, "get", "-n", ns, "iotproduct/changed-sensor", "-o", "jsonpath={.status.productKey}")

	managers := s.env.Managers()
	if len(managers) != 1 {
		t.Fatalf("%d managers running, want 1", len(managers))
	}
	must(t, managers[0].Stop())
	s.kubectl.run(t, "patch", "-n", ns, "iotproduct/changed-sensor", "--type=merge", "-p", `{"spec":{"description":"Changed while the operator was down, sent after"}}`)
	restarted := len(s.alibaba.callsOf(t, "QueryProduct", settled))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := s.env.StartManager(ctx); err != nil {
		t.Fatal(err)
	}

	deadline := time.Now().Add(time.Minute)
	for len(s.alibaba.callsOf(t, "UpdateProduct", changed)) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the product changed while the operator was down was not updated within a minute of its start")
		}
		time.Sleep(200 * time.Millisecond)
	}
	s.kubectl.run(t, "wait", "-n", ns, "--for=condition=Ready", "--timeout=60s", "iotproduct/changed-sensor")
	// The old behaviour read every product within moments of the start: give it a few more.
	time.Sleep(3 * time.Second)
	if n := len(s.alibaba.callsOf(t, "QueryProduct", settled)) - restarted; n > 0 {
		t.Errorf("%d QueryProduct calls for the settled product after the restart, want none before its sync period ends", n)
	}
	ready := s.kubectl.run(t, "get", "-n", ns, "iotproduct/settled-sensor", "-o", `jsonpath={.status.conditions[?(@.type=="Ready")].status}`)
	if ready != "True" {
		t.Errorf("the settled product reads Ready=%s after the restart, want True", ready)
	}
}
