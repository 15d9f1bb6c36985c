package verify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/internal/metrics"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// exportedMetricsList is the list of the manager's metrics that the queries of the dashboard
// and the alerts may name; hack/prometheus checks every query against it (the PromQL parser
// lives in that module, apart from the manager's dependencies).
func exportedMetricsList() string {
	return filepath.Join(testenv.RepoRoot(), "hack", "prometheus", "exported-metrics.txt")
}

// TestExportedMetricsListIsWhatTheManagerExports gathers the metrics the manager's registry
// serves, from the code that registers them (internal/metrics, and controller-runtime's
// reconcile and workqueue metrics of a running controller), and compares their names, types
// and labels with hack/prometheus/exported-metrics.txt: a renamed metric or label, in this
// project or in a controller-runtime upgrade, fails here, and the query test there then
// names the dashboard panel or alert that used it.
func TestExportedMetricsListIsWhatTheManagerExports(t *testing.T) {
	metrics.ObserveRequest("alibaba", "QueryProduct", metrics.CodeOK, time.Millisecond)
	metrics.ObserveRateLimiterWait("alibaba", "QueryProduct", 0)
	metrics.RecordDeletion(metrics.KindIoTProduct, metrics.DeletionCompleted)

	scheme := runtime.NewScheme()
	must(t, v1alpha1.AddToScheme(scheme))
	objects := prometheus.NewRegistry()
	objects.MustRegister(metrics.NewObjectsCollector(fake.NewClientBuilder().WithScheme(scheme).Build()))

	// A controller as the manager runs them, reconciling one request.
	reconciled := make(chan struct{}, 1)
	c, err := controller.NewTypedUnmanaged("iotproduct", controller.TypedOptions[reconcile.Request]{
		SkipNameValidation: ptr.To(true),
		Reconciler: reconcile.Func(func(context.Context, reconcile.Request) (reconcile.Result, error) {
			select {
			case reconciled <- struct{}{}:
			default:
			}
			return reconcile.Result{}, nil
		}),
	})
	must(t, err)
	events := make(chan event.GenericEvent, 1)
	must(t, c.Watch(source.Channel(events, &handler.EnqueueRequestForObject{})))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("controller: %v", err)
		}
	})
	events <- event.GenericEvent{Object: &v1alpha1.IoTProduct{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "b"}}}
	select {
	case <-reconciled:
	case <-time.After(30 * time.Second):
		t.Fatal("the controller did not reconcile within 30s")
	}
	// The reconcile's own metrics are recorded after it returns.
	time.Sleep(100 * time.Millisecond)

	families, err := prometheus.Gatherers{ctrlmetrics.Registry, objects}.Gather()
	must(t, err)
	var lines []string
	for _, f := range families {
		name := f.GetName()
		if !strings.HasPrefix(name, "prodlife_") && !strings.HasPrefix(name, "controller_runtime_") && !strings.HasPrefix(name, "workqueue_") {
			continue
		}
		var labels []string
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if !slices.Contains(labels, l.GetName()) {
					labels = append(labels, l.GetName())
				}
			}
		}
		slices.Sort(labels)
		lines = append(lines, strings.TrimSpace(fmt.Sprintf("%s %s %s", name, strings.ToLower(dto.MetricType_name[int32(f.GetType())]), strings.Join(labels, ","))))
	}
	slices.Sort(lines)
	want := strings.Join(lines, "\n") + "\n"

	got, err := os.ReadFile(exportedMetricsList())
	must(t, err)
	var kept []string
	for _, l := range strings.Split(string(got), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			kept = append(kept, l)
		}
	}
	if strings.Join(kept, "\n")+"\n" != want {
		t.Errorf("%s lists other metrics than the manager exports; its lines should be (name type labels):\n%s", exportedMetricsList(), want)
	}
}
