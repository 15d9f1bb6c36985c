package controllers_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
)

// A deletion pass that gets nowhere (the platform answers, but what is left stays: here an
// adapter that deletes nothing, the shape of a client that deletes another spelling of the
// SKU than the one recorded) must not be repeated in a tight loop. It backs off like a failed
// call, and the Ready condition says what is stuck and the way out.
func TestFeedDeletionWithoutProgressBacksOff(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	ctx := context.Background()
	f := newFeed(ns, "stuck-deletion", func(f *v1alpha1.FlipsnackFeed) {
		f.Labels = map[string]string{ownManagerLabel: "true"}
		f.Finalizers = []string{v1alpha1.Finalizer}
		f.Annotations = map[string]string{v1alpha1.ExternalIDAnnotation: "stuck-feed"}
	})
	must(t, k8s.Create(ctx, f))
	must(t, k8s.Delete(ctx, f))

	stuck := &stuckFeedPlatform{}
	mgr, err := ownManager()
	must(t, err)
	must(t, engine.RegisterIndexes(ctx, mgr))
	reconciler := &engine.Engine[*v1alpha1.FlipsnackFeed, engine.NoPlan]{
		Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), CRDName: "flipsnackfeeds.prodlife.dev",
		NewObject: func() *v1alpha1.FlipsnackFeed { return &v1alpha1.FlipsnackFeed{} },
		NewList:   func() client.ObjectList { return &v1alpha1.FlipsnackFeedList{} },
		Connector: stuck, Noun: "feed", SlowRetry: testSlowRetry, ThrottleWait: time.Second,
	}
	// The suite's backoff of retryable failures: 50 ms, doubling up to 500 ms.
	must(t, ctrl.NewControllerManagedBy(mgr).Named("stuck-feed").For(&v1alpha1.FlipsnackFeed{}).
		WithOptions(controller.Options{
			RateLimiter:        workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](50*time.Millisecond, 500*time.Millisecond),
			SkipNameValidation: ptr.To(true),
		}).Complete(reconciler))
	mctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- mgr.Start(mctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("manager: %v", err)
		}
	}()

	ready := waitCondition(t, f, v1alpha1.ConditionReady, metav1.ConditionFalse, engine.ReasonDeleteFailed)
	for _, want := range []string{"no progress", "none of the 1 recorded SKUs left", "deletionPolicy to Orphan"} {
		if !strings.Contains(ready.Message, want) {
			t.Errorf("Ready message %q does not say %q", ready.Message, want)
		}
	}
	start := stuck.deletes.Load()
	time.Sleep(3 * time.Second)
	// Backing off from 50 ms to 500 ms makes about 10 passes in 3 s; going on at once, hundreds.
	if n := stuck.deletes.Load() - start; n > 15 {
		t.Fatalf("%d deletion passes in 3 s without progress: the deletion spins instead of backing off", n)
	}

	updateFeed(t, f, func(f *v1alpha1.FlipsnackFeed) { f.Spec.DeletionPolicy = v1alpha1.DeletionPolicyOrphan })
	waitGone(t, f)
}

// stuckFeedPlatform answers every delete without deleting anything.
type stuckFeedPlatform struct{ deletes atomic.Int64 }

func (s *stuckFeedPlatform) Connect(context.Context, *v1alpha1.FlipsnackFeed, map[string][]byte, engine.Store) (engine.External[*v1alpha1.FlipsnackFeed, engine.NoPlan], error) {
	return s, nil
}

func (s *stuckFeedPlatform) Observe(context.Context, *v1alpha1.FlipsnackFeed, string) (engine.Observation[engine.NoPlan], error) {
	return engine.Observation[engine.NoPlan]{Exists: true, UpToDate: true}, nil
}

func (s *stuckFeedPlatform) Lookup(context.Context, *v1alpha1.FlipsnackFeed) (string, bool, error) {
	return "", false, nil
}

func (s *stuckFeedPlatform) Create(context.Context, *v1alpha1.FlipsnackFeed) (engine.Result, error) {
	return engine.Result{}, nil
}

func (s *stuckFeedPlatform) Update(context.Context, *v1alpha1.FlipsnackFeed, string, engine.Observation[engine.NoPlan]) (engine.Result, error) {
	return engine.Result{}, nil
}

func (s *stuckFeedPlatform) Delete(_ context.Context, _ *v1alpha1.FlipsnackFeed, id string) (engine.Result, error) {
	s.deletes.Add(1)
	return engine.Result{ExternalID: id, Message: `the platform answered, but none of the 1 recorded SKUs left went from the record (first: "SKU-1")`}, nil
}
