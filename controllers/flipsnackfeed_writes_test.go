package controllers_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// feedOfSKUs is a feed of n inline products: more than 500 take two deletion batches.
func feedOfSKUs(ns, name string, n int) *v1alpha1.FlipsnackFeed {
	return newFeed(ns, name, func(f *v1alpha1.FlipsnackFeed) {
		f.Spec.Products = make([]v1alpha1.FeedProduct, n)
		for i := range f.Spec.Products {
			f.Spec.Products[i] = feedProduct(fmt.Sprintf("W-%04d", i), fmt.Sprintf("Product %d", i), "1.00")
		}
	})
}

// Each write of a feed costs the API server the whole object, its inline products included.
// A deletion of two batches writes the record after the first; the second is recorded by the
// release, which removes the finalizer right after it: one status write, one object write.
func TestFlipsnackFeedDeletionOfTwoBatchesWritesTheFeedTwice(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackWritesKey, flipsnackWritesSecret)
	f := feedOfSKUs(ns, "two-batches", 600)
	hash := readyFeed(t, f)
	before := managerWrites.of(f)

	must(t, k8s.Delete(context.Background(), f))
	waitGone(t, f)
	got := managerWrites.of(f).minus(before)
	if want := (objectWrites{object: 1, status: 1}); got != want {
		t.Errorf("writes of the feed to delete it: %+v, want %+v", got, want)
	}
	if calls := feedCalls("products.delete", hash); len(calls) != 2 {
		t.Errorf("%d products.delete calls, want 2 (500 and 100 SKUs)", len(calls))
	}
	waitEvent(t, f, "Deleted: ", "deleted 600 of 600 products")
}

// The last batch's record is not written before the release: when the release fails, the
// status written at the end of that reconcile records that nothing is left, and the retry
// releases the feed without sending a SKU again.
func TestFlipsnackFeedWhoseReleaseFailsAfterTheLastBatchSendsNoSKUAgain(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackRefusedKey, flipsnackRefusedSecret)
	f := feedOfSKUs(ns, "release-refused", 600)
	hash := readyFeed(t, f)
	releaseRefusals.add(f, apierrors.NewServiceUnavailable("the test refused this removal of the finalizer"))
	before := managerWrites.of(f)

	must(t, k8s.Delete(context.Background(), f))
	waitGone(t, f)
	if releaseRefusals.take(f) != nil {
		t.Fatal("the finalizer's removal was never refused")
	}
	got := managerWrites.of(f).minus(before)
	// The status: the first batch's record, then the empty one with the failed release. The
	// object: the refused removal and the one that succeeds; when the retry starts from a
	// cache that has not seen that status write yet, its removal is refused as a conflict
	// first and sent again on the API server's copy (seen under -race): one more.
	if got.status != 2 || got.object < 2 || got.object > 3 {
		t.Errorf("writes of the feed to delete it: %+v, want 2 status writes and 2 object writes (3 after a conflict)", got)
	}
	if calls := feedCalls("products.delete", hash); len(calls) != 2 {
		t.Errorf("%d products.delete calls, want 2: the SKUs of the last batch were sent again after the failed release", len(calls))
	}
	if sf, ok := simFeed(hash); ok && len(sf.SKUs) > 0 {
		t.Errorf("%d SKUs left on the platform", len(sf.SKUs))
	}
	waitEvent(t, f, "Deleted: ", "deleted 600 of 600 products")
}

// A release refused as a conflict (the cached copy behind the API server, as after this
// deletion's own status write) is tried again at once on the object as the API server has
// it: no failure written, no backoff.
func TestFlipsnackFeedReleaseThatConflictsIsRetriedAtOnce(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackRefusedKey, flipsnackRefusedSecret)
	f := feedOfSKUs(ns, "release-conflict", 600)
	hash := readyFeed(t, f)
	releaseRefusals.add(f, apierrors.NewConflict(schema.GroupResource{Group: v1alpha1.GroupVersion.Group, Resource: "flipsnackfeeds"}, f.Name, errors.New("the object has been modified")))
	before := managerWrites.of(f)

	must(t, k8s.Delete(context.Background(), f))
	waitGone(t, f)
	if releaseRefusals.take(f) != nil {
		t.Fatal("the finalizer's removal was never refused")
	}
	// The object: the refused removal and the one on the fresh copy; the status: the first
	// batch's record only.
	if got, want := managerWrites.of(f).minus(before), (objectWrites{object: 2, status: 1}); got != want {
		t.Errorf("writes of the feed to delete it: %+v, want %+v", got, want)
	}
	if calls := feedCalls("products.delete", hash); len(calls) != 2 {
		t.Errorf("%d products.delete calls, want 2", len(calls))
	}
	if w := warnings(t, f); len(w) > 0 {
		t.Errorf("warnings for a conflict the release resolved itself: %q", w)
	}
}

// Feeds deleted together wait for their account's budget (5 calls a second) in the queue.
// Waiting is said once: a feed's status is written when it starts to wait, not again at each
// pass that finds the budget still spent, since each write of a feed costs the API server the
// whole feed.
func TestFlipsnackFeedsWaitingForTheirBudgetWriteTheirStatusOnce(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackWaitKey, flipsnackWaitSecret)
	feeds := make([]*v1alpha1.FlipsnackFeed, 15)
	for i := range feeds {
		feeds[i] = feedOfSKUs(ns, fmt.Sprintf("waiting-%02d", i), 1)
		readyFeed(t, feeds[i])
	}
	before := make([]objectWrites, len(feeds))
	for i, f := range feeds {
		before[i] = managerWrites.of(f)
	}

	must(t, k8s.DeleteAllOf(context.Background(), &v1alpha1.FlipsnackFeed{}, client.InNamespace(ns)))
	waited := 0
	for i, f := range feeds {
		waitGone(t, f)
		got := managerWrites.of(f).minus(before[i])
		if got.status > 1 {
			t.Errorf("%s: %d status writes to delete it, want at most 1 (the wait said once)", f.Name, got.status)
		}
		waited += got.status
	}
	if waited == 0 {
		t.Fatalf("no feed waited for the budget: the test shows nothing")
	}
	t.Logf("%d of %d feeds waited for the budget", waited, len(feeds))
}

// Feeds created together wait for their account's budget too. A pass that finds the budget
// spent pushes nothing and leaves the record as it is: it does not mark the SKUs in flight
// (a write of the whole feed) to unmark them at once (another).
func TestFlipsnackFeedsWaitingToPushDoNotWriteTheirRecord(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackPushWaitKey, flipsnackPushWaitSecret)
	feeds := make([]*v1alpha1.FlipsnackFeed, 15)
	for i := range feeds {
		feeds[i] = feedOfSKUs(ns, fmt.Sprintf("pushing-%02d", i), 1)
		must(t, k8s.Create(context.Background(), feeds[i]))
	}
	// A feed that never waits writes its status 4 times (Creating, the SKUs in flight, the
	// record, Ready); one that waits, once more. Another pass may take the last call of the
	// budget between a feed's look at it and its call: that feed marks and unmarks its SKUs
	// (2 writes), now and then. Each pass that waited used to cost 2 writes: 100 to 106 in
	// all for these 15, against 70 to 80 now.
	total, most := 0, 4+1+2*2
	for _, f := range feeds {
		waitCondition(t, f, v1alpha1.ConditionReady, metav1.ConditionTrue, "Available")
		w := managerWrites.of(f)
		if w.status > most {
			t.Errorf("%s: %d status writes to create it, want at most %d", f.Name, w.status, most)
		}
		total += w.status
	}
	if limit := 5*len(feeds) + 15; total > limit {
		t.Errorf("%d status writes to create %d feeds, want at most %d", total, len(feeds), limit)
	}
	t.Logf("%d status writes for %d feeds", total, len(feeds))
}
