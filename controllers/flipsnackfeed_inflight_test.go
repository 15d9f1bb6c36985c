package controllers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	fssim "github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

// A products.create whose answer is lost (the platform made the products) and whose retry is
// refused for another reason than "already exists" keeps its SKUs in the record as possibly
// present: deleting the feed then deletes them. Were they dropped, the deletion would find
// nothing recorded and leave the products on the platform for good.
func TestFeedCreateLostThenRefusedKeepsItsSKUs(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	must(t, fsSim.SetFaults(map[string]fssim.Fault{
		// The first create outlives the client's timeout: the platform makes the products,
		// the answer is lost.
		"products.create": {LatencyMs: int(testTimeout/time.Millisecond) + 500, Count: 1},
		// The next call (the retried create) is refused: 43, forbidden.
		"*": {ErrorRate: 1, Code: "43", Count: 1},
	}))
	defer fsSim.ClearFaults()
	f := newFeed(ns, "lost-then-refused")
	must(t, k8s.Create(context.Background(), f))
	waitCondition(t, f, v1alpha1.ConditionStalled, metav1.ConditionTrue, "UpdateFailed")
	hash := f.Status.SourceHash
	creates := feedCalls("products.create", hash)
	if len(creates) != 2 || creates[0].Fault != "answer lost" || creates[1].Code != 43 {
		t.Fatalf("products.create calls %+v, want the lost one, then one refused with 43", creates)
	}
	if sf, _ := simFeed(hash); len(sf.SKUs) != 3 {
		t.Fatalf("platform SKUs %v, want the 3 the lost create made", sf.SKUs)
	}

	deleteAndWaitGone(t, f)
	if sf, ok := simFeed(hash); ok {
		t.Fatalf("products %v left on the platform: the refused retry dropped them from the record", sf.SKUs)
	}
	if del := feedCalls("products.delete", hash); len(del) == 0 {
		t.Fatal("no products.delete: the deletion found nothing recorded")
	}
}

// A code-40 answer to products.delete whose text is not one of the "not found" messages is
// not taken for "already deleted": the deletion stays, retried, with the platform's answer in
// its condition, and the object is not released until a delete really succeeds.
func TestFeedDeleteAnswerNotKnownAsNotFoundNeverCountsAsDone(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	f := newFeed(ns, "unknown-answer")
	hash := readyFeed(t, f)
	must(t, fsSim.SetFaults(map[string]fssim.Fault{"products.delete": {ErrorRate: 1, Code: "40", Status: "Catalogue vanished"}}))
	defer fsSim.ClearFaults()
	must(t, k8s.Delete(context.Background(), f))

	eventually(t, "Ready=False DeleteFailed with the platform's answer", func() string {
		must(t, k8s.Get(context.Background(), client.ObjectKeyFromObject(f), f))
		c := condition(f, v1alpha1.ConditionReady)
		if c == nil || c.Status != metav1.ConditionFalse || c.Reason != "DeleteFailed" || !strings.Contains(c.Message, "Catalogue vanished") {
			return fmt.Sprintf("Ready is %+v", c)
		}
		return ""
	})
	// Retried, never released.
	eventually(t, "a second products.delete", func() string {
		if n := len(feedCalls("products.delete", hash)); n < 2 {
			return fmt.Sprintf("%d calls", n)
		}
		return ""
	})
	must(t, k8s.Get(context.Background(), client.ObjectKeyFromObject(f), f))
	if f.Status.ProductsDeleted != 0 {
		t.Fatalf("status.productsDeleted %d: an unknown refusal was counted as deletion", f.Status.ProductsDeleted)
	}
	fsSim.ClearFaults()
	waitGone(t, f)
	if _, ok := simFeed(hash); ok {
		t.Fatalf("feed %s left on the platform", hash)
	}
}

// A code-20 answer whose data.errors lists SKUs (skipped: "unknown or variant SKUs are
// skipped", products.delete) never counts them as pushed or deleted: they stay in the record,
// are counted and named in status and in a Warning event, and are sent again.
func TestFeedSkippedSKUsAreNeitherPushedNorDeleted(t *testing.T) {
	ctx := context.Background()
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	must(t, fsSim.SetFaults(map[string]fssim.Fault{"products.create": {SkipSKUs: []string{"SKU-3"}}}))
	defer fsSim.ClearFaults()
	f := newFeed(ns, "skipped")
	must(t, k8s.Create(ctx, f))

	skippedInStatus := func(phase string) {
		t.Helper()
		eventually(t, phase+": SKU-3 skipped, in status and the Ready condition", func() string {
			must(t, k8s.Get(ctx, client.ObjectKeyFromObject(f), f))
			c := condition(f, v1alpha1.ConditionReady)
			if f.Status.ProductsSkipped != 1 || len(f.Status.SkippedSKUs) != 1 || f.Status.SkippedSKUs[0] != "SKU-3" ||
				c == nil || c.Status != metav1.ConditionFalse || !strings.Contains(c.Message, "skipped 1 SKUs (SKU-3)") {
				return fmt.Sprintf("status skipped %d %v, Ready %+v", f.Status.ProductsSkipped, f.Status.SkippedSKUs, c)
			}
			return ""
		})
		if w := strings.Join(warnings(t, f), "\n"); !strings.Contains(w, "SKU-3") {
			t.Errorf("%s: no Warning event names SKU-3: %s", phase, w)
		}
	}
	skippedInStatus("create")
	hash := f.Status.SourceHash
	if f.Status.ProductsPushed != 2 {
		t.Errorf("status.productsPushed %d, want 2: a skipped SKU is not pushed", f.Status.ProductsPushed)
	}
	if sf, _ := simFeed(hash); strings.Join(sf.SKUs, ",") != "SKU-1,SKU-2" {
		t.Fatalf("platform SKUs %v, want SKU-1 and SKU-2", sf.SKUs)
	}

	// Once the platform takes it, it is pushed.
	fsSim.ClearFaults()
	waitCondition(t, f, v1alpha1.ConditionReady, metav1.ConditionTrue, "Available")
	if sf, _ := simFeed(hash); len(sf.SKUs) != 3 || f.Status.ProductsSkipped != 0 || f.Status.SkippedSKUs != nil {
		t.Fatalf("platform SKUs %v, status skipped %d %v; want 3 pushed, none skipped", sf.SKUs, f.Status.ProductsSkipped, f.Status.SkippedSKUs)
	}

	// A delete that skips SKU-3 deletes the others and keeps the feed until SKU-3 goes too.
	must(t, fsSim.SetFaults(map[string]fssim.Fault{"products.delete": {SkipSKUs: []string{"SKU-3"}}}))
	must(t, k8s.Delete(ctx, f))
	skippedInStatus("delete")
	if sf, _ := simFeed(hash); strings.Join(sf.SKUs, ",") != "SKU-3" {
		t.Fatalf("platform SKUs %v, want SKU-3 left", sf.SKUs)
	}
	fsSim.ClearFaults()
	waitGone(t, f)
	if _, ok := simFeed(hash); ok {
		t.Fatal("feed left on the platform")
	}
}
