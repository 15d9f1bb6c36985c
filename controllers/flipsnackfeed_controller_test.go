package controllers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	fssim "github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

const feedSecret = "flipsnack-credentials"

// newFeedNamespace is a test namespace with the Flipsnack credentials Secret.
func newFeedNamespace(t *testing.T, key, secret string) string {
	t.Helper()
	ns := newNamespace(t)
	createSecret(t, ns, feedSecret, map[string]string{"apiKey": key, "apiSecret": secret})
	return ns
}

func feedProduct(code, title, price string) v1alpha1.FeedProduct {
	return v1alpha1.FeedProduct{Code: code, Type: "product", Title: title, SellPrice: price, Currency: "EUR"}
}

func newFeed(ns, name string, mutate ...func(*v1alpha1.FlipsnackFeed)) *v1alpha1.FlipsnackFeed {
	f := &v1alpha1.FlipsnackFeed{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.FlipsnackFeedSpec{
			CredentialsSecretRef: v1alpha1.SecretReference{Name: feedSecret},
			Products: []v1alpha1.FeedProduct{
				feedProduct("SKU-1", "Mug", "9.50"),
				feedProduct("SKU-2", "Cup", "4.00"),
				feedProduct("SKU-3", "Plate", "12.00"),
			},
		},
	}
	for _, m := range mutate {
		m(f)
	}
	return f
}

// readyFeed creates a feed and waits until its products are pushed; it returns the sourceHash.
func readyFeed(t *testing.T, f *v1alpha1.FlipsnackFeed) string {
	t.Helper()
	must(t, k8s.Create(context.Background(), f))
	waitCondition(t, f, v1alpha1.ConditionReady, metav1.ConditionTrue, "Available")
	return f.Status.SourceHash
}

// simFeed returns the simulator's feed with the sourceHash.
func simFeed(hash string) (fssim.Feed, bool) {
	for _, f := range fsSim.Feeds() {
		if f.SourceHash == hash {
			return f, true
		}
	}
	return fssim.Feed{}, false
}

func feedCalls(action, hash string) []fssim.Call {
	var out []fssim.Call
	for _, c := range fsSim.Calls() {
		if c.Action == action && c.Params["sourceHash"] == hash {
			out = append(out, c)
		}
	}
	return out
}

func simProduct(t *testing.T, hash, sku string) map[string]any {
	t.Helper()
	f, ok := simFeed(hash)
	if !ok {
		t.Fatalf("feed %s is not on the platform", hash)
	}
	for _, raw := range f.Products {
		// Numbers as sent (json.Number), so a test sees the digits the platform got.
		var p map[string]any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		must(t, dec.Decode(&p))
		if p["code"] == sku {
			return p
		}
	}
	return nil
}

func updateFeed(t *testing.T, f *v1alpha1.FlipsnackFeed, mutate func(*v1alpha1.FlipsnackFeed)) {
	t.Helper()
	ctx := context.Background()
	must(t, k8s.Get(ctx, client.ObjectKeyFromObject(f), f))
	before := f.DeepCopy()
	mutate(f)
	must(t, k8s.Patch(ctx, f, client.MergeFrom(before)))
}

func TestFlipsnackFeedPushesOnlyTheDifferenceAndDeletesEverySKU(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	f := newFeed(ns, "shop")
	hash := readyFeed(t, f)

	// Exactly 64 characters: "must be a 64-character identifier" in one version of the
	// products/create page, "a maximum 64-character identifier" in another.
	if !strings.HasPrefix(hash, "plo-") || len(hash) != 64 || f.Annotations[v1alpha1.ExternalIDAnnotation] != hash {
		t.Fatalf("sourceHash %q (%d chars, annotation %q): want a generated plo-... of exactly 64 chars, recorded", hash, len(hash), f.Annotations[v1alpha1.ExternalIDAnnotation])
	}
	if len(feedCalls("products.create", hash)) == 0 {
		t.Fatalf("no products.create reached the platform under the sourceHash %s", hash)
	}
	if sf, ok := simFeed(hash); !ok || len(sf.SKUs) != 3 {
		t.Fatalf("platform feed %+v, want SKU-1..3", sf)
	}
	if c := feedCalls("products.create", hash); len(c) != 1 || c[0].Items != 3 {
		t.Fatalf("products.create calls %+v, want one with 3 products", c)
	}
	if f.Status.ProductsPushed != 3 || f.Status.Drift == "" {
		t.Fatalf("status %+v: want 3 pushed and the drift note", f.Status)
	}

	// One changed field of one product: one products.update with only that field.
	updateFeed(t, f, func(f *v1alpha1.FlipsnackFeed) { f.Spec.Products[1].Title = "Big cup" })
	eventually(t, "the new title on the platform", func() string {
		if p := simProduct(t, hash, "SKU-2"); p["title"] != "Big cup" {
			return fmt.Sprintf("SKU-2 is %v", p)
		}
		return ""
	})
	upd := feedCalls("products.update", hash)
	if len(upd) != 1 || upd[0].Items != 1 {
		t.Fatalf("products.update calls %+v, want one with one product", upd)
	}
	var partial []map[string]any
	must(t, json.Unmarshal([]byte(upd[0].Params["products"]), &partial))
	if len(partial) != 1 || len(partial[0]) != 2 || partial[0]["code"] != "SKU-2" || partial[0]["title"] != "Big cup" {
		t.Fatalf("products.update sent %v, want only code and title", partial)
	}
	if c := feedCalls("products.create", hash); len(c) != 1 {
		t.Fatalf("products.create calls %d after an update, want still 1: only the difference is sent", len(c))
	}

	// A product removed from the spec: products.delete of that SKU alone.
	updateFeed(t, f, func(f *v1alpha1.FlipsnackFeed) { f.Spec.Products = f.Spec.Products[:2] })
	eventually(t, "SKU-3 deleted", func() string {
		if sf, _ := simFeed(hash); len(sf.SKUs) != 2 {
			return fmt.Sprintf("SKUs %v", sf.SKUs)
		}
		return ""
	})
	if del := feedCalls("products.delete", hash); len(del) != 1 || del[0].Params["productsSKU"] != "SKU-3" {
		t.Fatalf("products.delete calls %+v, want one of SKU-3", del)
	}
	// The platform answers before the operator records the answer: wait for the record.
	eventually(t, "status to count 2 pushed, 0 pending deletion, Ready", func() string {
		must(t, k8s.Get(context.Background(), client.ObjectKeyFromObject(f), f))
		ready := condition(f, v1alpha1.ConditionReady)
		if f.Status.ProductsPushed != 2 || f.Status.ProductsPendingDeletion != 0 || ready == nil || ready.Status != metav1.ConditionTrue {
			return fmt.Sprintf("%d pushed, %d pending deletion, Ready %+v", f.Status.ProductsPushed, f.Status.ProductsPendingDeletion, ready)
		}
		return ""
	})

	// Deleting the feed deletes every pushed SKU; the feed goes with its last product.
	must(t, k8s.Delete(context.Background(), f))
	waitGone(t, f)
	if sf, ok := simFeed(hash); ok {
		t.Fatalf("feed still on the platform with %v", sf.SKUs)
	}
	waitEvent(t, f, "Deleted: deleted feed "+hash)
}

func TestFlipsnackFeedConfigMapChangeIsPushed(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "catalogue"},
		Data:       map[string]string{"products.json": `[{"type":"product","code":"CM-1","title":"One","sell_price":"1.00"},{"type":"product","code":"CM-2","title":"Two"}]`},
	}
	must(t, k8s.Create(context.Background(), cm))
	f := newFeed(ns, "from-cm", func(f *v1alpha1.FlipsnackFeed) {
		f.Spec.ProductsFrom = []v1alpha1.ProductsSource{{ConfigMap: v1alpha1.ConfigMapProducts{Name: "catalogue", Key: "products.json"}}}
	})
	hash := readyFeed(t, f)
	if sf, _ := simFeed(hash); len(sf.SKUs) != 5 {
		t.Fatalf("platform SKUs %v, want the 3 of the spec and the 2 of the ConfigMap", sf.SKUs)
	}

	cm.Data["products.json"] = `[{"type":"product","code":"CM-1","title":"One","sell_price":"2.00"},{"type":"product","code":"CM-2","title":"Two"}]`
	must(t, k8s.Update(context.Background(), cm))
	eventually(t, "the ConfigMap's new price on the platform", func() string {
		// The ConfigMap's decimal string reaches the platform as the JSON number 2.00.
		if p := simProduct(t, hash, "CM-1"); p["sell_price"] != json.Number("2.00") {
			return fmt.Sprintf("CM-1 is %v", p)
		}
		return ""
	})
	if upd := feedCalls("products.update", hash); len(upd) != 1 || upd[0].Items != 1 {
		t.Fatalf("products.update calls %+v, want one of CM-1", upd)
	}
}

func TestFlipsnackFeedOrphanAndNeverPushedGoWithoutAnAPICall(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	orphan := newFeed(ns, "orphan", func(f *v1alpha1.FlipsnackFeed) { f.Spec.DeletionPolicy = v1alpha1.DeletionPolicyOrphan })
	hash := readyFeed(t, orphan)
	empty := newFeed(ns, "empty", func(f *v1alpha1.FlipsnackFeed) { f.Spec.Products = nil })
	emptyHash := readyFeed(t, empty)

	must(t, k8s.Delete(context.Background(), orphan))
	must(t, k8s.Delete(context.Background(), empty))
	waitGone(t, orphan)
	waitGone(t, empty)
	if sf, ok := simFeed(hash); !ok || len(sf.SKUs) != 3 {
		t.Fatalf("orphaned feed on the platform: %+v, want its 3 SKUs left alone", sf)
	}
	for _, h := range []string{hash, emptyHash} {
		if del := feedCalls("products.delete", h); len(del) != 0 {
			t.Fatalf("products.delete calls for %s: %+v, want none", h, del)
		}
	}
	if c := feedCalls("products.create", emptyHash); len(c) != 0 {
		t.Fatalf("products.create calls for an empty feed: %+v, want none", c)
	}
}

func TestFlipsnackFeedBadCredentialsStallUntilOrphaned(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	f := newFeed(ns, "stuck")
	hash := readyFeed(t, f)

	// The Secret now has a wrong apiSecret: the platform answers 44 (bad signature).
	s := &corev1.Secret{}
	must(t, k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: feedSecret}, s))
	s.Data["apiSecret"] = []byte("wrong-secret")
	must(t, k8s.Update(context.Background(), s))
	// Let the manager's cache see the new Secret before the deletion starts.
	waitSecretSeen(t, s)

	must(t, k8s.Delete(context.Background(), f))
	stalled := waitCondition(t, f, v1alpha1.ConditionStalled, metav1.ConditionTrue, "DeleteFailed")
	for _, want := range []string{"44", "credentials Secret", "deletionPolicy to Orphan"} {
		if !strings.Contains(stalled.Message, want) {
			t.Fatalf("Stalled message %q does not say %q", stalled.Message, want)
		}
	}

	updateFeed(t, f, func(f *v1alpha1.FlipsnackFeed) { f.Spec.DeletionPolicy = v1alpha1.DeletionPolicyOrphan })
	waitGone(t, f)
	if sf, ok := simFeed(hash); !ok || len(sf.SKUs) != 3 {
		t.Fatalf("orphaned feed on the platform: %+v, want its SKUs left", sf)
	}
}

func TestFlipsnackFeedMissingSecretKeyNamesIt(t *testing.T) {
	ns := newNamespace(t)
	createSecret(t, ns, feedSecret, map[string]string{"apiKey": flipsnackKey})
	f := newFeed(ns, "nokey")
	must(t, k8s.Create(context.Background(), f))
	c := waitCondition(t, f, v1alpha1.ConditionStalled, metav1.ConditionTrue, "CredentialsError")
	if !strings.Contains(c.Message, "apiSecret") {
		t.Fatalf("message %q does not name the missing key apiSecret", c.Message)
	}
}
