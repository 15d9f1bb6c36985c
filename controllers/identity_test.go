package controllers_test

import (
	"context"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// A user of another namespace, with credentials of the same account, names a ProductKey that
// a resource already manages: their resource is Stalled, never renames or deletes it, and
// deleting it leaves the product to its owner. Nothing the intruder can read names the owner.
func TestAProductManagedByAResourceCannotBeAdoptedByAnother(t *testing.T) {
	ctx := context.Background()
	owner, key := readyProduct(t, newNamespace(t), "owner")

	intruder := newProduct(newNamespace(t), "intruder", func(p *v1alpha1.IoTProduct) { p.Spec.ProductKey = key })
	must(t, k8s.Create(ctx, intruder))
	stalled := waitCondition(t, intruder, v1alpha1.ConditionStalled, metav1.ConditionTrue, "IdentityConflict")
	for _, part := range []string{key, "a resource of another namespace"} {
		if !strings.Contains(stalled.Message, part) {
			t.Errorf("message %q should say %s", stalled.Message, part)
		}
	}
	if strings.Contains(stalled.Message, owner.Namespace) {
		t.Errorf("message %q names the owner's namespace", stalled.Message)
	}
	if id := intruder.Annotations[v1alpha1.ExternalIDAnnotation]; id != "" {
		t.Errorf("the intruder recorded %q", id)
	}

	deleteAndWaitGone(t, intruder)
	if note := waitEvent(t, intruder, "Orphaned", "already managed by"); strings.Contains(note, owner.Namespace) {
		t.Errorf("the intruder's event %q names the owner's namespace", note)
	}

	// In the owner's own namespace, the holder is named: its users may read it anyway.
	sibling := newProduct(owner.Namespace, "sibling", func(p *v1alpha1.IoTProduct) { p.Spec.ProductKey = key })
	must(t, k8s.Create(ctx, sibling))
	if c := waitCondition(t, sibling, v1alpha1.ConditionStalled, metav1.ConditionTrue, "IdentityConflict"); !strings.Contains(c.Message, "IoTProduct "+owner.Namespace+"/owner") {
		t.Errorf("message %q should name the holder of the same namespace", c.Message)
	}
	deleteAndWaitGone(t, sibling)
	if calls := callsFor("UpdateProduct", key); len(calls) != 0 {
		t.Errorf("the intruder's spec reached product %s: %+v", key, calls)
	}
	if calls := callsFor("DeleteProduct", key); len(calls) != 0 {
		t.Fatalf("deleting the intruder called DeleteProduct on %s: %+v", key, calls)
	}
	if _, ok := productByKey(key); !ok {
		t.Fatalf("product %s is gone", key)
	}
	must(t, k8s.Get(ctx, client.ObjectKeyFromObject(owner), owner))
	if c := condition(owner, v1alpha1.ConditionReady); c.Status != metav1.ConditionTrue {
		t.Errorf("the owner is no longer Ready: %+v", c)
	}

	// The owner still deletes its product, once.
	deleteAndWaitGone(t, owner)
	if calls := callsFor("DeleteProduct", key); len(calls) != 1 {
		t.Errorf("DeleteProduct calls for %s: %d, want 1", key, len(calls))
	}
}

// Two resources that both record one identity (a restore from a backup, two adoptions racing)
// agree on one owner, the older: only it may delete the product.
func TestOfTwoResourcesRecordingOneProductOnlyTheOlderDeletesIt(t *testing.T) {
	ctx := context.Background()
	older, key := readyProduct(t, newNamespace(t), "older")

	restored := newProduct(newNamespace(t), "restored", func(p *v1alpha1.IoTProduct) {
		p.Annotations = map[string]string{v1alpha1.ExternalIDAnnotation: key}
	})
	must(t, k8s.Create(ctx, restored))
	waitCondition(t, restored, v1alpha1.ConditionStalled, metav1.ConditionTrue, "IdentityConflict")
	deleteAndWaitGone(t, restored)
	if calls := callsFor("DeleteProduct", key); len(calls) != 0 {
		t.Fatalf("the younger resource deleted %s: %+v", key, calls)
	}
	deleteAndWaitGone(t, older)
	if calls := callsFor("DeleteProduct", key); len(calls) != 1 {
		t.Errorf("DeleteProduct calls for %s: %d, want 1", key, len(calls))
	}
}

// A sourceHash is unique within one Flipsnack account only: a second feed of the same account
// naming it is Stalled, a feed of another account may use the same sourceHash.
func TestASourceHashIsManagedByOneFeedPerAccount(t *testing.T) {
	ctx := context.Background()
	first := newFeed(newFeedNamespace(t, flipsnackKey, flipsnackSecret), "first")
	hash := readyFeed(t, first)

	sameAccount := newFeed(newFeedNamespace(t, flipsnackKey, flipsnackSecret), "same-account", func(f *v1alpha1.FlipsnackFeed) {
		f.Spec.SourceHash = hash
		f.Spec.Products = []v1alpha1.FeedProduct{feedProduct("SKU-1", "Overwritten", "1.00")}
	})
	must(t, k8s.Create(ctx, sameAccount))
	stalled := waitCondition(t, sameAccount, v1alpha1.ConditionStalled, metav1.ConditionTrue, "IdentityConflict")
	if !strings.Contains(stalled.Message, "a resource of another namespace") || strings.Contains(stalled.Message, first.Namespace) {
		t.Errorf("message %q should say another namespace's feed manages %s, without naming it", stalled.Message, hash)
	}
	if title := simProduct(t, hash, "SKU-1")["title"]; title != "Mug" {
		t.Errorf("SKU-1 of the first feed has title %v: the second feed reached it", title)
	}

	deleteAndWaitGone(t, sameAccount)
	if calls := feedCalls("products.delete", hash); len(calls) != 0 {
		t.Errorf("deleting the second feed called products.delete on %s: %+v", hash, calls)
	}
	if f, ok := simFeed(hash); !ok || len(f.SKUs) != 3 {
		t.Fatalf("feed %s of the first feed: %+v, %v; want its 3 SKUs", hash, f, ok)
	}

	otherAccount := newFeed(newFeedNamespace(t, flipsnackBigKey, flipsnackBigSecret), "other-account", func(f *v1alpha1.FlipsnackFeed) {
		f.Spec.SourceHash = hash
	})
	readyFeed(t, otherAccount)
	deleteAndWaitGone(t, otherAccount)
	deleteAndWaitGone(t, first)
	if _, ok := simFeed(hash); ok {
		t.Errorf("feed %s is still on the platform after both its feeds were deleted", hash)
	}
}

// The external-id annotation is what the operator trusts. If it goes while the status still
// reports a ProductKey, the resource neither makes a second product nor deletes the one the
// status names, and says how to go on.
func TestARemovedIdentityAnnotationIsNeitherRecreatedNorDeleted(t *testing.T) {
	ctx := context.Background()
	p, key := readyProduct(t, newNamespace(t), "forgotten")
	// Only the operator may (an admission policy): as if it had lost it.
	must(t, managerK8s.Patch(ctx, p, client.RawPatch(types.MergePatchType,
		[]byte(`{"metadata":{"annotations":{"`+v1alpha1.ExternalIDAnnotation+`":null}}}`))))

	stalled := waitCondition(t, p, v1alpha1.ConditionStalled, metav1.ConditionTrue, "IdentityLost")
	for _, part := range []string{key, "spec.deletionPolicy to Orphan"} {
		if !strings.Contains(stalled.Message, part) {
			t.Errorf("message %q should say %s", stalled.Message, part)
		}
	}
	must(t, k8s.Delete(ctx, p))
	waitCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionFalse, "IdentityLost")
	if n := len(productsNamed(p.Spec.ProductName)); n != 1 {
		t.Errorf("%d products named %s, want the one", n, p.Spec.ProductName)
	}
	if calls := callsFor("DeleteProduct", key); len(calls) != 0 {
		t.Fatalf("DeleteProduct called on %s on the word of the status: %+v", key, calls)
	}
	patchDeletionPolicyOrphan(t, p)
	waitGone(t, p)
	if _, ok := productByKey(key); !ok {
		t.Fatalf("product %s is gone", key)
	}
}
