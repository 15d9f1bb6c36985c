package e2e

import (
	"slices"
	"strings"
	"testing"
)

func TestSamplesAreCreatedOnThePlatformsAndDeletedFromThem(t *testing.T) {
	s := environment(t)
	ns := s.namespace(t, "e2e-samples")

	s.kubectl.run(t, "apply", "--server-side", "-k", samplesDir(), "-n", ns)
	s.kubectl.run(t, "wait", "-n", ns, "--for=condition=Ready", "--timeout=60s",
		"iotproduct/temperature-sensor", "flipsnackfeed/spring-catalogue")

	productKey := s.kubectl.run(t, "get", "-n", ns, "iotproduct/temperature-sensor", "-o", "jsonpath={.status.productKey}")
	if got := s.alibaba.products(t)[productKey]; got.ProductName != "temperature_sensor" {
		t.Fatalf("IoT platform after apply: product %q is %+v, want temperature_sensor", productKey, got)
	}
	sourceHash := s.kubectl.run(t, "get", "-n", ns, "flipsnackfeed/spring-catalogue", "-o", "jsonpath={.status.sourceHash}")
	if got := s.flipsnack.feeds(t)[sourceHash].SKUs; !slices.Equal(got, []string{"SKU-01", "SKU-02"}) {
		t.Fatalf("Flipsnack after apply: feed %q has SKUs %v, want SKU-01 and SKU-02", sourceHash, got)
	}

	// The category lists both kinds, each Ready with its external identity.
	listed := s.kubectl.run(t, "get", "prodlife", "-n", ns)
	for _, want := range []string{"iotproduct.prodlife.dev/temperature-sensor", "flipsnackfeed.prodlife.dev/spring-catalogue", productKey, sourceHash} {
		if !strings.Contains(listed, want) {
			t.Errorf("kubectl get prodlife does not show %s:\n%s", want, listed)
		}
	}
	if n := strings.Count(listed, "True"); n != 2 {
		t.Errorf("kubectl get prodlife shows %d Ready resources, want 2:\n%s", n, listed)
	}

	s.kubectl.run(t, "delete", "-n", ns, "iotproduct/temperature-sensor", "--wait=false")
	s.kubectl.run(t, "wait", "-n", ns, "--for=delete", "--timeout=60s", "iotproduct/temperature-sensor")
	if _, ok := s.alibaba.products(t)[productKey]; ok {
		t.Errorf("IoT platform after kubectl delete: product %s is still there", productKey)
	}
	if calls := s.alibaba.deleteCalls(t, productKey); len(calls) != 1 || calls[0].Code != "OK" {
		t.Errorf("IoT platform after kubectl delete: DeleteProduct calls for %s are %+v, want exactly one that succeeded", productKey, calls)
	}

	s.kubectl.run(t, "delete", "-n", ns, "flipsnackfeed/spring-catalogue", "--wait=false")
	s.kubectl.run(t, "wait", "-n", ns, "--for=delete", "--timeout=60s", "flipsnackfeed/spring-catalogue")
	if f, ok := s.flipsnack.feeds(t)[sourceHash]; ok {
		t.Errorf("Flipsnack after kubectl delete: feed %s still holds %v", sourceHash, f.SKUs)
	}
	calls := s.flipsnack.deleteCalls(t, sourceHash)
	if len(calls) != 1 || calls[0].Code != feedCodeOK || calls[0].Items != 2 {
		t.Errorf("Flipsnack after kubectl delete: products.delete calls for %s are %+v, want one that deleted both SKUs", sourceHash, calls)
	}
}
