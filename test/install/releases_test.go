package install_test

import (
	"context"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// Two teams install the chart each for their own namespace, side by side on one cluster:
// each release's admission policies must let the other release's manager do its work, and
// each manager brings its own namespace's product to Ready and deletes it.
func TestTwoReleasesManageTheirOwnNamespacesSideBySide(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an API server and two manager binaries")
	}
	binary := managerBinary(t)
	sims, err := testenv.StartSimulators(testenv.SimulatorsAccepting(creds))
	must(t, err)
	t.Cleanup(sims.Close)
	env, err := testenv.StartAPIServer()
	must(t, err)
	t.Cleanup(func() { _ = env.Stop() })
	ctx := context.Background()

	teams := map[string]string{"team-a": "ops-a", "team-b": "ops-b"} // watched namespace -> the release's
	logs := map[string]*logBuffer{}
	for watched, ns := range teams {
		inst := installation{
			name: "release " + ns, namespace: ns, serviceAccount: ns + "-product-lifecycle-operator", deployment: ns + "-product-lifecycle-operator",
			render: func(t *testing.T) []*unstructured.Unstructured {
				return helmRelease(t, ns, ns, "--set", "watchNamespaces={"+watched+"}")
			},
			watched: []string{watched},
		}
		logs[ns] = installAndRun(t, env, inst, binary, sims.ManagerArgs()...)
	}

	var products []*unstructured.Unstructured
	for watched := range teams {
		must(t, testenv.ApplyCredentials(ctx, env.Client, watched, creds, "install-test"))
		for _, obj := range rendered(t, "config/samples") {
			if obj.GetKind() == "IoTProduct" {
				obj.SetNamespace(watched)
				must(t, unstructured.SetNestedField(obj.Object, strings.ReplaceAll(watched, "-", "_")+"_sensor", "spec", "productName"))
				must(t, env.Client.Create(ctx, obj))
				products = append(products, obj)
			}
		}
	}
	for _, p := range products {
		waitReady(t, env.Client, p)
	}
	if n := len(sims.Alibaba.Products()); n != len(teams) {
		t.Errorf("the IoT platform holds %d products, want one per team", n)
	}
	for _, p := range products {
		must(t, env.Client.Delete(ctx, p))
	}
	for _, p := range products {
		waitGone(t, env.Client, p)
	}
	if n := len(sims.Alibaba.Products()); n != 0 {
		t.Errorf("the IoT platform still holds %d products after the deletions", n)
	}
	for ns, log := range logs {
		if logged := log.String(); strings.Contains(logged, "forbidden") || strings.Contains(logged, "denied") {
			t.Errorf("release %s's manager was refused something:\n%s", ns, tail(logged))
		}
	}
}
