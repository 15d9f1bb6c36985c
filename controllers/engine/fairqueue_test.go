package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/prodlife/product-lifecycle-operator/internal/metrics"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

func request(ns, name string) reconcile.Request {
	return reconcile.Request{NamespacedName: types.NamespacedName{Namespace: ns, Name: name}}
}

// A quiet namespace's resource is handed to a worker ahead of another namespace's backlog,
// the backlog keeps its order, and every item is handed out once.
func TestFairQueueServesAQuietNamespaceAheadOfABacklog(t *testing.T) {
	q := newFairQueue("test", workqueue.DefaultTypedControllerRateLimiter[reconcile.Request]())
	defer q.ShutDown()
	for i := range 100 {
		q.Add(request("hog", fmt.Sprintf("p-%03d", i)))
	}
	q.Add(request("quiet", "new"))
	q.Add(request("hog", "p-000")) // already waiting: no second copy, no move
	if n := testutil.ToFloat64(metrics.QueueWaiting.WithLabelValues("test", "hog")); n != 100 {
		t.Errorf("prodlife_queue_waiting of the backlogged namespace is %v, want 100", n)
	}

	var got []reconcile.Request
	deadline := time.After(10 * time.Second)
	for len(got) < 101 {
		done := make(chan reconcile.Request, 1)
		go func() {
			item, _ := q.Get()
			done <- item
		}()
		select {
		case item := <-done:
			got = append(got, item)
			q.Done(item)
		case <-deadline:
			t.Fatalf("only %d of 101 items handed out", len(got))
		}
	}
	at := -1
	for i, r := range got {
		if r.Namespace == "quiet" {
			at = i
		}
	}
	if at < 0 || at > 1 {
		t.Errorf("the quiet namespace's item came %d-th, after %d items of the backlog; want within the first two", at+1, at)
	}
	var hog []string
	for _, r := range got {
		if r.Namespace == "hog" {
			hog = append(hog, r.Name)
		}
	}
	for i, name := range hog {
		if want := fmt.Sprintf("p-%03d", i); name != want {
			t.Fatalf("the backlog came out of order: %d-th is %s, want %s", i, name, want)
		}
	}
	if q.Len() != 0 {
		t.Errorf("%d items left in the queue", q.Len())
	}
	if n := testutil.CollectAndCount(metrics.QueueWaiting); n != 0 {
		t.Errorf("%d prodlife_queue_waiting series left with nothing waiting, want none", n)
	}
}
