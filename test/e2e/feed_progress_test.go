package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/internal/devenv/devenvtest"
)

// A feed's deletion shows its progress where people look: the DELETED column of
// `kubectl get fsfeed` ("deleted/total"), here while the platform refuses the credentials.
func TestAFeedDeletionShowsItsProgressInKubectlGet(t *testing.T) {
	s := environment(t)
	ns := s.namespace(t, "e2e-progress")
	s.kubectl.run(t, "apply", "--server-side", "-n", ns, "-f", samplesDir()+"/prodlife_v1alpha1_flipsnackfeed.yaml")
	s.kubectl.run(t, "wait", "-n", ns, "--for=condition=Ready", "--timeout=60s", "flipsnackfeed/spring-catalogue")
	sourceHash := s.kubectl.run(t, "get", "-n", ns, "flipsnackfeed/spring-catalogue", "-o", "jsonpath={.status.sourceHash}")
	pushed := len(s.flipsnack.feeds(t)[sourceHash].SKUs)

	must(t, devenvtest.Inspect(inspectContext(t), http.MethodPut, s.env.FlipsnackURL+"/_sim/faults",
		json.RawMessage(`{"products.delete": {"errorRate": 1, "code": "41"}}`), nil))
	t.Cleanup(func() { must(t, s.flipsnack.ClearFaults(context.Background())) })
	s.kubectl.run(t, "delete", "-n", ns, "flipsnackfeed/spring-catalogue", "--wait=false")
	s.kubectl.run(t, "wait", "-n", ns, "--for=condition=Stalled", "--timeout=60s", "flipsnackfeed/spring-catalogue")

	rows := table(t, s.kubectl.run(t, "get", "-n", ns, "flipsnackfeed/spring-catalogue"))
	if want := "0/" + strconv.Itoa(pushed); rows[0]["DELETED"] != want {
		t.Errorf("kubectl get fsfeed shows %v, want DELETED %s", rows[0], want)
	}
	must(t, s.flipsnack.ClearFaults(context.Background()))
	s.kubectl.run(t, "wait", "-n", ns, "--for=delete", "--timeout=60s", "flipsnackfeed/spring-catalogue")
}
