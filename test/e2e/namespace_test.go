package e2e

import (
	"strings"
	"testing"
)

func TestDeletingANamespaceDeletesItsProductsFromBothPlatforms(t *testing.T) {
	s := environment(t)
	ns := s.namespace(t, "e2e-shop")

	s.kubectl.run(t, "apply", "--server-side", "-k", samplesDir(), "-n", ns)
	s.kubectl.run(t, "wait", "-n", ns, "--for=condition=Ready", "--timeout=60s",
		"iotproduct/temperature-sensor", "flipsnackfeed/spring-catalogue")
	productKey := s.kubectl.run(t, "get", "-n", ns, "iotproduct/temperature-sensor", "-o", "jsonpath={.status.productKey}")
	sourceHash := s.kubectl.run(t, "get", "-n", ns, "flipsnackfeed/spring-catalogue", "-o", "jsonpath={.status.sourceHash}")
	if _, ok := s.alibaba.products(t)[productKey]; !ok {
		t.Fatalf("IoT platform after apply: no product %s", productKey)
	}
	if _, ok := s.flipsnack.feeds(t)[sourceHash]; !ok {
		t.Fatalf("Flipsnack after apply: no feed %s", sourceHash)
	}

	// The credentials Secrets go in the same deletion as the products that need them: they
	// are held until no product needs them any more.
	for _, secret := range []string{"secret/alibaba-credentials", "secret/flipsnack-credentials"} {
		finalizers := s.kubectl.run(t, "get", "-n", ns, secret, "-o", "jsonpath={.metadata.finalizers}")
		if !strings.Contains(finalizers, "prodlife.dev/credentials-in-use") {
			t.Errorf("%s in use has finalizers %s, want prodlife.dev/credentials-in-use", secret, finalizers)
		}
	}
	s.kubectl.run(t, "delete", "namespace", ns, "--wait=false")
	s.kubectl.run(t, "wait", "--for=delete", "--timeout=90s", "namespace/"+ns)

	if _, ok := s.alibaba.products(t)[productKey]; ok {
		t.Errorf("IoT platform after kubectl delete namespace: product %s is still there", productKey)
	}
	if f, ok := s.flipsnack.feeds(t)[sourceHash]; ok {
		t.Errorf("Flipsnack after kubectl delete namespace: feed %s still holds %v", sourceHash, f.SKUs)
	}
}
