package controllers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/internal/metrics"
	"github.com/prodlife/product-lifecycle-operator/internal/metrics/metricstest"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

// What a Prometheus scrape of the manager shows after real reconciles: the platform calls by
// answer code with their latency and rate-limit waits, the deletions by outcome, and the
// objects by state.
func TestMetricsShowCallsDeletionsAndObjectStates(t *testing.T) {
	ns := newNamespace(t)
	createSecret(t, ns, "metrics-flipsnack", map[string]string{"apiKey": flipsnackKey, "apiSecret": flipsnackSecret})

	// The suite's manager serves no metrics endpoint, so serve controller-runtime's registry
	// as the manager does, with the objects collector main.go adds, counting this namespace.
	objects := metrics.NewObjectsCollector(client.NewNamespacedClient(k8s, ns))
	must(t, ctrlmetrics.Registry.Register(objects))
	t.Cleanup(func() { ctrlmetrics.Registry.Unregister(objects) })
	endpoint := httptest.NewServer(promhttp.HandlerFor(ctrlmetrics.Registry, promhttp.HandlerOpts{}))
	t.Cleanup(endpoint.Close)
	before := scrapeMetrics(t, endpoint.URL)
	grew := func(now map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
		return seriesValue(t, now, name, labels) - baselineValue(before, name, labels)
	}

	ready := metricsProduct(ns, "ready", "alibaba-credentials")
	stalled := metricsProduct(ns, "stalled", "no-such-secret")
	refused := metricsProduct(ns, "refused", "alibaba-credentials")
	feed := &v1alpha1.FlipsnackFeed{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "catalogue"},
		Spec: v1alpha1.FlipsnackFeedSpec{
			CredentialsSecretRef: v1alpha1.SecretReference{Name: "metrics-flipsnack"},
			Products:             []v1alpha1.FeedProduct{{Code: "SKU-M1", Type: "product", Title: "Mug", SellPrice: "9.50", Currency: "EUR"}},
		},
	}
	for _, obj := range []client.Object{ready, stalled, refused, feed} {
		must(t, k8s.Create(context.Background(), obj))
	}
	waitCondition(t, ready, v1alpha1.ConditionReady, metav1.ConditionTrue, "")
	waitCondition(t, refused, v1alpha1.ConditionReady, metav1.ConditionTrue, "")
	waitCondition(t, stalled, v1alpha1.ConditionStalled, metav1.ConditionTrue, "")
	waitCondition(t, feed, v1alpha1.ConditionReady, metav1.ConditionTrue, "")

	// A deletion the platform refuses stays Terminating and counts as failed.
	must(t, iotSim.SetFaults(alibabaiot.Faults{alibabaiot.ActionDeleteProduct: {ErrorRate: 1, Code: "iot.common.RamActionPermissionDeny"}}))
	t.Cleanup(iotSim.ClearFaults)
	must(t, k8s.Delete(context.Background(), refused))
	waitCondition(t, refused, v1alpha1.ConditionStalled, metav1.ConditionTrue, "DeleteFailed")

	now := scrapeMetrics(t, endpoint.URL)
	for _, want := range []struct {
		kind, state string
		n           float64
	}{
		{"IoTProduct", "ready", 1}, {"IoTProduct", "stalled", 1}, {"IoTProduct", "terminating", 1}, {"IoTProduct", "reconciling", 0},
		{"FlipsnackFeed", "ready", 1}, {"FlipsnackFeed", "stalled", 0}, {"FlipsnackFeed", "terminating", 0}, {"FlipsnackFeed", "reconciling", 0},
	} {
		if got := seriesValue(t, now, "prodlife_objects", map[string]string{"kind": want.kind, "state": want.state}); got != want.n {
			t.Errorf("prodlife_objects{kind=%q,state=%q} = %v, want %v", want.kind, want.state, got, want.n)
		}
	}
	for _, want := range []struct {
		labels  map[string]string
		atLeast float64
	}{
		{map[string]string{"platform": "alibaba", "action": "CreateProduct", "code": "OK"}, 2},
		{map[string]string{"platform": "alibaba", "action": "DeleteProduct", "code": "iot.common.RamActionPermissionDeny"}, 1},
		{map[string]string{"platform": "flipsnack", "action": "products.create", "code": "OK"}, 1},
	} {
		if got := grew(now, "prodlife_external_requests_total", want.labels); got < want.atLeast {
			t.Errorf("prodlife_external_requests_total%v grew by %v, want at least %v", want.labels, got, want.atLeast)
		}
	}
	for _, name := range []string{"prodlife_external_request_duration_seconds", "prodlife_rate_limiter_wait_seconds"} {
		for _, labels := range []map[string]string{
			{"platform": "alibaba", "action": "CreateProduct"},
			{"platform": "flipsnack", "action": "products.create"},
		} {
			if got := grew(now, name, labels); got < 1 {
				t.Errorf("%s%v observed %v more calls, want at least 1", name, labels, got)
			}
		}
	}
	if got := grew(now, "prodlife_deletions_total", map[string]string{"kind": "IoTProduct", "result": "failed"}); got < 1 {
		t.Errorf("failed IoTProduct deletions grew by %v, want at least 1", got)
	}

	// Letting the refused product go, deleting the others: each outcome is counted.
	patchDeletionPolicyOrphan(t, refused)
	iotSim.ClearFaults()
	for _, obj := range []client.Object{ready, stalled, feed} {
		must(t, k8s.Delete(context.Background(), obj))
	}
	for _, obj := range []client.Object{refused, ready, stalled, feed} {
		waitGone(t, obj)
	}
	// A deletion is counted once its finalizer removal has returned, and the cache sees an
	// object go, a moment after the API server does.
	eventually(t, "every deletion outcome counted and no object left", func() string {
		after := scrapeMetrics(t, endpoint.URL)
		for _, want := range []struct{ kind, result string }{
			{"IoTProduct", "orphaned"}, {"IoTProduct", "completed"}, {"IoTProduct", "nothing_to_delete"}, {"FlipsnackFeed", "completed"},
		} {
			if got := seriesValue(t, after, "prodlife_deletions_total", map[string]string{"kind": want.kind, "result": want.result}) -
				seriesValue(t, now, "prodlife_deletions_total", map[string]string{"kind": want.kind, "result": want.result}); got < 1 {
				return fmt.Sprintf("prodlife_deletions_total{kind=%q,result=%q} grew by %v, want at least 1", want.kind, want.result, got)
			}
		}
		for _, state := range []string{"ready", "stalled", "terminating", "reconciling"} {
			if got := seriesValue(t, after, "prodlife_objects", map[string]string{"kind": "IoTProduct", "state": state}); got != 0 {
				return fmt.Sprintf("prodlife_objects{kind=IoTProduct,state=%q} = %v after every object went, want 0", state, got)
			}
		}
		return ""
	})
}

func metricsProduct(ns, name, secret string) *v1alpha1.IoTProduct {
	return &v1alpha1.IoTProduct{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.IoTProductSpec{
			ProductName:          strings.ReplaceAll(ns+"_"+name, "-", "_"),
			Region:               "cn-shanghai",
			CredentialsSecretRef: &v1alpha1.SecretReference{Name: secret},
		},
	}
}

func patchDeletionPolicyOrphan(t *testing.T, obj client.Object) {
	t.Helper()
	patch := client.RawPatch("application/merge-patch+json", []byte(`{"spec":{"deletionPolicy":"Orphan"}}`))
	must(t, k8s.Patch(context.Background(), obj, patch))
}

// scrapeMetrics reads the endpoint as Prometheus does, in the text exposition format.
func scrapeMetrics(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	must(t, err)
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: HTTP %d", resp.StatusCode)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	must(t, err)
	return families
}

// seriesValue is the value of the series. The operator exports every series these checks
// read (0 is a value, not an absence), so a series that is not there fails the test.
func seriesValue(t *testing.T, families map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	t.Helper()
	v, ok := metricstest.Value(families, name, labels)
	if !ok {
		t.Errorf("the scrape has no series %s%v", name, labels)
	}
	return v
}

// baselineValue is the value of the series before the test's calls: one that no call has
// made yet counts as 0.
func baselineValue(families map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	v, _ := metricstest.Value(families, name, labels)
	return v
}
