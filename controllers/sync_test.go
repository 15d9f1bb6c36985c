package controllers_test

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

// status.lastSyncTime says when the platform was last seen matching the spec: set when a
// product or feed becomes Ready, moved by a later read that finds it matching, and left
// alone by one that finds it gone.
func TestLastSyncTimeIsWhenThePlatformWasLastSeenMatching(t *testing.T) {
	ctx := context.Background()
	start := time.Now().Add(-time.Second)
	p, key := readyProduct(t, newNamespace(t), "lastsync")
	if got := p.Status.LastSyncTime; got == nil || got.Before(&metav1.Time{Time: start.Truncate(time.Second)}) {
		t.Fatalf("a Ready product's lastSyncTime: %v, want a time after %v", got, start)
	}

	// An hour ago, as if the last resync had been then; a requested reconcile reads the
	// product again, finds it matching, and moves the time.
	old := metav1.NewTime(time.Now().Add(-time.Hour).Truncate(time.Second))
	setLastSyncTime := func() {
		t.Helper()
		body := `{"status":{"lastSyncTime":"` + old.UTC().Format(time.RFC3339) + `"}}`
		must(t, k8s.Status().Patch(ctx, p, client.RawPatch(types.MergePatchType, []byte(body))))
	}
	setLastSyncTime()
	requestReconcile(t, p, "seen-matching")
	if got := p.Status.LastSyncTime; got == nil || time.Since(got.Time) > time.Minute {
		t.Errorf("after a read that found the product matching, lastSyncTime is %v, want within the last minute", got)
	}

	// Deleted behind the operator's back: the read finds nothing, and the time stays.
	removeFromPlatform(t, key)
	setLastSyncTime()
	requestReconcile(t, p, "seen-gone")
	waitCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionFalse, "NotFound")
	if got := p.Status.LastSyncTime; got == nil || !got.Equal(&old) {
		t.Errorf("after a read that found the product gone, lastSyncTime is %v, want it left at %v", got, old)
	}
	deleteAndWaitGone(t, p)

	f := newFeed(newFeedNamespace(t, flipsnackKey, flipsnackSecret), "lastsync")
	readyFeed(t, f)
	if got := f.Status.LastSyncTime; got == nil || got.Before(&metav1.Time{Time: start.Truncate(time.Second)}) {
		t.Errorf("a Ready feed's lastSyncTime: %v, want a time after %v", got, start)
	}
	deleteAndWaitGone(t, f)
}

// A product's own spec.pollInterval replaces the operator's sync period (2 s in this suite):
// its neighbour is read back every few seconds, it is not, until a requested reconcile.
func TestAProductIsReadBackOnItsOwnPollInterval(t *testing.T) {
	ns := newNamespace(t)
	_, neighbour := readyProduct(t, ns, "default-poll")
	_, own := readyProduct(t, ns, "own-poll", func(p *v1alpha1.IoTProduct) {
		p.Spec.PollInterval = &metav1.Duration{Duration: time.Hour}
	})
	neighbourReads, ownReads := len(callsFor(alibabaiot.ActionQueryProduct, neighbour)), len(callsFor(alibabaiot.ActionQueryProduct, own))
	time.Sleep(3 * testSyncPeriod)
	if n := len(callsFor(alibabaiot.ActionQueryProduct, neighbour)) - neighbourReads; n == 0 {
		t.Fatalf("the neighbour on the operator's %v sync period was not read back in %v", testSyncPeriod, 3*testSyncPeriod)
	}
	if n := len(callsFor(alibabaiot.ActionQueryProduct, own)) - ownReads; n != 0 {
		t.Errorf("the product with pollInterval 1h was read back %d times in %v, want none", n, 3*testSyncPeriod)
	}
}
