package engine_test

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
)

// What a starting manager may leave for later: only a product read matching its spec, at
// this generation, less than a resync period ago, with nothing asking for work.
func TestAStartingManagerLeavesForLaterOnlyWhatWasReadRecently(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	settled := func(lastSync time.Duration) *v1alpha1.IoTProduct {
		p := &v1alpha1.IoTProduct{ObjectMeta: metav1.ObjectMeta{
			Namespace: "shop", Name: "sensor", Generation: 2, Finalizers: []string{v1alpha1.Finalizer},
			Annotations: map[string]string{v1alpha1.ExternalIDAnnotation: "a1Key"},
		}}
		p.Status.ObservedGeneration = 2
		p.Status.Conditions = []metav1.Condition{{Type: v1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: "Available", ObservedGeneration: 2}}
		p.Status.LastSyncTime = &metav1.Time{Time: now.Add(-lastSync)}
		return p
	}
	deleting := settled(time.Minute)
	deleting.DeletionTimestamp = &metav1.Time{Time: now}
	changed := settled(time.Minute)
	changed.Generation = 3
	failing := settled(time.Minute)
	failing.Status.Conditions[0].Status, failing.Status.Conditions[0].Reason = metav1.ConditionFalse, "ObserveFailed"
	paused := settled(time.Minute)
	paused.Annotations[v1alpha1.PausedAnnotation] = "true"
	requested := settled(time.Minute)
	requested.Annotations[v1alpha1.ReconcileRequestedAtAnnotation] = "now"
	handled := settled(time.Minute)
	handled.Annotations[v1alpha1.ReconcileRequestedAtAnnotation] = "earlier"
	handled.Status.LastHandledReconcileAt = "earlier"
	pending := settled(time.Minute)
	pending.Annotations[v1alpha1.CreatePendingAnnotation] = "2026-12-07T11:59:00Z"
	unfinalized := settled(time.Minute)
	unfinalized.Finalizers = nil
	resumed := settled(time.Minute)
	resumed.Status.Conditions = append(resumed.Status.Conditions, metav1.Condition{Type: v1alpha1.ConditionPaused, Status: metav1.ConditionTrue, Reason: "Paused"})
	neverSynced := settled(0)
	neverSynced.Status.LastSyncTime = nil
	ownInterval := settled(time.Minute)
	ownInterval.Spec.PollInterval = &metav1.Duration{Duration: 3 * time.Minute}

	tests := []struct {
		name string
		obj  client.Object
		want time.Duration
	}{
		{"read a minute ago", settled(time.Minute), 9 * time.Minute},
		{"read a period ago", settled(10 * time.Minute), 0},
		{"read by a clock ahead of this one", settled(-time.Hour), 10 * time.Minute},
		{"its own poll interval", ownInterval, 2 * time.Minute},
		{"being deleted", deleting, 0},
		{"changed since", changed, 0},
		{"failing", failing, 0},
		{"paused", paused, 0},
		{"resumed while no manager ran (Paused still said)", resumed, 0},
		{"without its finalizer", unfinalized, 0},
		{"a reconcile requested", requested, 0},
		{"a reconcile requested and handled", handled, 9 * time.Minute},
		{"a create under way", pending, 0},
		{"never read", neverSynced, 0},
	}
	e := &engine.Engine[*v1alpha1.IoTProduct, engine.NoPlan]{
		SyncPeriod:   10 * time.Minute,
		PollInterval: ownPollInterval,
	}
	for _, tt := range tests {
		if got := e.NotDueFor(tt.obj, now); got != tt.want {
			t.Errorf("%s: not due for %v, want %v", tt.name, got, tt.want)
		}
	}
	// A kind that is never read again (feeds) has nothing to leave for later.
	feeds := &engine.Engine[*v1alpha1.FlipsnackFeed, engine.NoPlan]{}
	if got := feeds.NotDueFor(&v1alpha1.FlipsnackFeed{}, now); got != 0 {
		t.Errorf("a feed is not due for %v, want 0", got)
	}
}
