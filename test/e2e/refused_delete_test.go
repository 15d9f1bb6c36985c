package e2e

import (
	"strings"
	"testing"
)

const doorSensor = `
apiVersion: prodlife.dev/v1alpha1
kind: IoTProduct
metadata:
  name: door-sensor
spec:
  productName: door_sensor
  description: Door contact sensor
  region: cn-shanghai
  nodeType: Device
  dataFormat: AlinkJSON
  credentialsSecretRef:
    name: alibaba-credentials
`

func TestADeleteThePlatformRefusesIsShownAndOrphanReleasesIt(t *testing.T) {
	s := environment(t)
	ns := s.namespace(t, "e2e-refused")

	s.kubectl.runWithInput(t, doorSensor, "apply", "--server-side", "-n", ns, "-f", "-")
	s.kubectl.run(t, "wait", "-n", ns, "--for=condition=Ready", "--timeout=60s", "iotproduct/door-sensor")
	productKey := s.kubectl.run(t, "get", "-n", ns, "iotproduct/door-sensor", "-o", "jsonpath={.status.productKey}")

	// The account may not delete products: a RAM policy without iot:DeleteProduct.
	s.alibaba.setFaults(t, `{"DeleteProduct": {"errorRate": 1, "code": "Forbidden.RAM"}}`)
	s.kubectl.run(t, "delete", "-n", ns, "iotproduct/door-sensor", "--wait=false")
	s.kubectl.run(t, "wait", "-n", ns, "--for=condition=Stalled", "--timeout=60s", "iotproduct/door-sensor")

	rows := table(t, s.kubectl.run(t, "get", "-n", ns, "iotproduct/door-sensor"))
	if rows[0]["READY"] != "False" || rows[0]["REASON"] != "DeleteFailed" || rows[0]["PRODUCTKEY"] != productKey || rows[0]["DEVICES"] != "0" {
		t.Errorf("kubectl get shows %v, want READY False, REASON DeleteFailed, PRODUCTKEY %s, DEVICES 0", rows[0], productKey)
	}
	wide := s.kubectl.run(t, "get", "-n", ns, "iotproduct/door-sensor", "-o", "wide")
	for _, want := range []string{"Forbidden.RAM", "RequestId", "deletionPolicy to Orphan"} {
		if !strings.Contains(wide, want) {
			t.Errorf("kubectl get -o wide does not say %q:\n%s", want, wide)
		}
	}
	described := s.kubectl.run(t, "describe", "-n", ns, "iotproduct/door-sensor")
	for _, want := range []string{"Deletion Timestamp", "prodlife.dev/external-delete", "Stalled", "Warning  DeleteFailed", "Forbidden.RAM"} {
		if !strings.Contains(described, want) {
			t.Errorf("kubectl describe does not show %q:\n%s", want, described)
		}
	}
	if _, ok := s.alibaba.products(t)[productKey]; !ok {
		t.Fatalf("IoT platform while the delete is refused: product %s is gone", productKey)
	}
	calls := s.alibaba.deleteCalls(t, productKey)
	if len(calls) == 0 {
		t.Fatalf("IoT platform: no DeleteProduct call for %s", productKey)
	}
	for _, c := range calls {
		if c.Code != "Forbidden.RAM" {
			t.Errorf("IoT platform: DeleteProduct for %s answered %s, want every call refused with Forbidden.RAM", productKey, c.Code)
		}
	}

	// The documented way out: keep the product on the platform and let the object go.
	s.kubectl.run(t, "patch", "-n", ns, "iotproduct/door-sensor", "--type", "merge", "-p", `{"spec":{"deletionPolicy":"Orphan"}}`)
	s.kubectl.run(t, "wait", "-n", ns, "--for=delete", "--timeout=60s", "iotproduct/door-sensor")
	if got := s.alibaba.products(t)[productKey]; got.ProductName != "door_sensor" {
		t.Errorf("IoT platform after Orphan: product %s is %+v, want door_sensor left in place", productKey, got)
	}
	for _, c := range s.alibaba.deleteCalls(t, productKey) {
		if c.Code == "OK" {
			t.Errorf("IoT platform after Orphan: a DeleteProduct for %s succeeded", productKey)
		}
	}
	orphaned := s.kubectl.run(t, "get", "events", "-n", ns, "--field-selector", "reason=Orphaned")
	if !strings.Contains(orphaned, productKey) {
		t.Errorf("no Orphaned event naming %s:\n%s", productKey, orphaned)
	}
}
