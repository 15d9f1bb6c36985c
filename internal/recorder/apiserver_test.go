package recorder

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	eventsv1client "k8s.io/client-go/kubernetes/typed/events/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/internal/metrics"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// What the recorder sends, the API server's validation of events.k8s.io/v1 takes: a new
// event, the series patch of its repeats, a note cut to the limit; and a namespace being
// deleted is told apart from a refusal.
func TestTheAPIServerTakesWhatTheRecorderSends(t *testing.T) {
	env, err := testenv.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	ctx := context.Background()
	cl, err := eventsv1client.NewForConfig(env.Config)
	if err != nil {
		t.Fatal(err)
	}
	r := newRecorder(apiSink{cl}, env.Scheme, "iotproduct-controller", logr.Discard(), Options{Shards: 2, FlushEvery: 200 * time.Millisecond})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = r.Start(runCtx); close(done) }()
	t.Cleanup(func() { stop(); <-done })

	for _, name := range []string{"team-a", "leaving"} {
		if err := env.Client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}); err != nil {
			t.Fatal(err)
		}
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "subject"}}
	if err := env.Client.Create(ctx, cm); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		r.Eventf(cm, nil, corev1.EventTypeWarning, "DeleteFailed", "Delete", "DeleteProduct failed: %s", "ServiceUnavailable")
	}
	r.Eventf(cm, nil, corev1.EventTypeWarning, "CreateFailed", "Create", "%s", strings.Repeat("x", 3000))

	list := func() map[string]eventsv1.Event {
		var l eventsv1.EventList
		if err := env.Client.List(ctx, &l, client.InNamespace("team-a")); err != nil {
			t.Fatal(err)
		}
		byReason := map[string]eventsv1.Event{}
		for _, e := range l.Items {
			byReason[e.Reason] = e
		}
		return byReason
	}
	testenv.Eventually(t, 10*time.Second, "the repeats folded into one event of count 3, and the long note", func() string {
		got := list()
		failed, long := got["DeleteFailed"], got["CreateFailed"]
		if failed.Series == nil || failed.Series.Count != 3 {
			return fmt.Sprintf("DeleteFailed series %+v", failed.Series)
		}
		if len(long.Note) != noteLimit {
			return fmt.Sprintf("CreateFailed note of %d bytes", len(long.Note))
		}
		return ""
	})

	leaving := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "leaving"}}
	leftover := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "leaving", Name: "subject"}}
	if err := env.Client.Create(ctx, leftover); err != nil {
		t.Fatal(err)
	}
	// envtest runs no namespace controller: the namespace stays Terminating.
	if err := env.Client.Delete(ctx, leaving); err != nil {
		t.Fatal(err)
	}
	before := testutil.ToFloat64(metrics.EventsDropped.WithLabelValues(metrics.EventNamespaceTerminating))
	r.Eventf(leftover, nil, corev1.EventTypeNormal, "Deleted", "Delete", "deleted")
	testenv.Eventually(t, 10*time.Second, "the event in a terminating namespace counted as such", func() string {
		if d := testutil.ToFloat64(metrics.EventsDropped.WithLabelValues(metrics.EventNamespaceTerminating)) - before; d != 1 {
			return fmt.Sprintf("counted %v", d)
		}
		return ""
	})
}
