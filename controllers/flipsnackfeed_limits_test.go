package controllers_test

import (
	"context"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
)

// productsConfigMap creates a ConfigMap whose products.json holds products and returns it
// as a productsFrom source.
func productsConfigMap(t *testing.T, ns, name string, products []map[string]any) v1alpha1.ProductsSource {
	t.Helper()
	data, err := json.Marshal(products)
	must(t, err)
	must(t, k8s.Create(context.Background(), &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Data:       map[string]string{"products.json": string(data)},
	}))
	return v1alpha1.ProductsSource{ConfigMap: v1alpha1.ConfigMapProducts{Name: name, Key: "products.json"}}
}

// waitStalledWithoutCalls waits for f to be Stalled while reading its products, checks the
// message says every part, and that nothing of the feed reached the platform.
func waitStalledWithoutCalls(t *testing.T, f *v1alpha1.FlipsnackFeed, reason string, parts ...string) {
	t.Helper()
	stalled := waitCondition(t, f, v1alpha1.ConditionStalled, metav1.ConditionTrue, reason)
	if strings.Contains(stalled.Message, "the platform refused") {
		t.Errorf("Stalled message %q blames the platform for what the operator refused", stalled.Message)
	}
	for _, want := range parts {
		if !strings.Contains(stalled.Message, want) {
			t.Errorf("Stalled message %q does not say %q", stalled.Message, want)
		}
	}
	hash := f.Status.SourceHash
	if hash == "" {
		t.Fatal("no sourceHash in status")
	}
	for _, action := range []string{"products.create", "products.update", "products.delete"} {
		if c := feedCalls(action, hash); len(c) != 0 {
			t.Fatalf("%d %s calls for feed %s, want none", len(c), action, hash)
		}
	}
}

// A feed of more than 10,000 products, spec and ConfigMaps together, is Stalled with a
// message that says so, and nothing of it is pushed.
func TestFlipsnackFeedOverTheProductLimitIsStalledWithoutACall(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	var sources []v1alpha1.ProductsSource
	for c := 0; c < 4; c++ {
		products := make([]map[string]any, 2500)
		for i := range products {
			products[i] = map[string]any{"type": "product", "code": fmt.Sprintf("LIM-%05d", c*2500+i)}
		}
		sources = append(sources, productsConfigMap(t, ns, fmt.Sprintf("part-%d", c), products))
	}
	// 10,000 from the ConfigMaps and 3 in the spec.
	f := newFeed(ns, "too-many", func(f *v1alpha1.FlipsnackFeed) { f.Spec.ProductsFrom = sources })
	must(t, k8s.Create(context.Background(), f))
	waitStalledWithoutCalls(t, f, engine.ReasonTooManyProducts, "too many products", "ConfigMap part-3 key products.json (product 2497)", "over 10,000 products")
}

// A ConfigMap value larger than a products source may be is refused before it is parsed.
func TestFlipsnackFeedOversizedConfigMapIsRefusedUnread(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	// Valid JSON of 600 KiB: one product padded with white space.
	data := `[{"type":"product","code":"BIG-1"}` + strings.Repeat(" ", 600<<10) + `]`
	must(t, k8s.Create(context.Background(), &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "huge"},
		Data:       map[string]string{"products.json": data},
	}))
	f := newFeed(ns, "huge-source", func(f *v1alpha1.FlipsnackFeed) {
		f.Spec.ProductsFrom = []v1alpha1.ProductsSource{{ConfigMap: v1alpha1.ConfigMapProducts{Name: "huge", Key: "products.json"}}}
	})
	must(t, k8s.Create(context.Background(), f))
	waitStalledWithoutCalls(t, f, engine.ReasonInvalidSpec, fmt.Sprintf("ConfigMap huge key products.json holds %s bytes", thousandsOf(len(data))), "more than the 524,288 bytes (512 KiB)")
}

// Products whose record (status.pushed) would not fit in the object's status are refused
// before the first call: 10,000 products with 128-character SKUs would take about 1 MB
// compressed, more than the 768 KiB status.pushed may take.
func TestFlipsnackFeedWhoseRecordWouldNotFitIsStalledWithoutACall(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	var sources []v1alpha1.ProductsSource
	for c := 0; c < 5; c++ {
		products := make([]map[string]any, 2000)
		for i := range products {
			n := c*2000 + i
			sum := sha512.Sum512([]byte(fmt.Sprint(n)))
			sku := hex.EncodeToString(sum[:]) // 128 characters
			products[i] = map[string]any{"type": "product", "code": sku, "title": fmt.Sprint(n), "sell_price": fmt.Sprintf("%d.99", n), "quantity": n%2 == 0}
		}
		sources = append(sources, productsConfigMap(t, ns, fmt.Sprintf("long-skus-%d", c), products))
	}
	f := newFeed(ns, "long-skus", func(f *v1alpha1.FlipsnackFeed) { f.Spec.Products = nil; f.Spec.ProductsFrom = sources })
	must(t, k8s.Create(context.Background(), f))
	waitStalledWithoutCalls(t, f, engine.ReasonInvalidSpec, "status.pushed", "more than the 786432 (768 KiB) status.pushed may take", "split the catalogue")
}

// A status.pushed that decompresses to more than any record the operator writes (a forged
// status, a gzip bomb) is read no further than the limit: the feed is Stalled with a message
// and nothing is pushed or deleted on its account.
func TestFlipsnackFeedWithAnOversizedRecordIsStalled(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	ctx := context.Background()
	f := newFeed(ns, "bomb")
	hash := readyFeed(t, f)
	creates := len(feedCalls("products.create", hash))

	// 9 MiB of one line, about 9 KiB compressed.
	bomb := gzipped(t, strings.Repeat("A", 9<<20))
	patch, _ := json.Marshal(map[string]any{"status": map[string]any{"pushed": bomb}})
	must(t, k8s.Status().Patch(ctx, f, client.RawPatch(types.MergePatchType, patch)))
	// A spec change makes the operator read the record again.
	updateFeed(t, f, func(f *v1alpha1.FlipsnackFeed) { f.Spec.Products[0].Title = "Big mug" })

	stalled := waitCondition(t, f, v1alpha1.ConditionStalled, metav1.ConditionTrue, engine.ReasonInvalidSpec)
	for _, want := range []string{"status.pushed is not a record this operator wrote", "decompresses to more than 8388608 bytes"} {
		if !strings.Contains(stalled.Message, want) {
			t.Errorf("Stalled message %q does not say %q", stalled.Message, want)
		}
	}
	if n := len(feedCalls("products.create", hash)); n != creates || len(feedCalls("products.update", hash)) != 0 || len(feedCalls("products.delete", hash)) != 0 {
		t.Fatalf("calls after the record was replaced: %d creates (before %d), %d updates, %d deletes; want none",
			n, creates, len(feedCalls("products.update", hash)), len(feedCalls("products.delete", hash)))
	}
	updateFeed(t, f, func(f *v1alpha1.FlipsnackFeed) { f.Spec.DeletionPolicy = v1alpha1.DeletionPolicyOrphan })
	must(t, k8s.Delete(ctx, f))
	waitGone(t, f)
}

// thousandsOf writes n with comma separators, as the operator's messages do.
func thousandsOf(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// When the API server refuses to store the record because the whole object would be too
// large (a big spec plus the record), the feed is Stalled with a message instead of being
// retried, and nothing is lost: every SKU the platform got is in the record, so deleting the
// feed deletes them all.
func TestFlipsnackFeedWhoseStatusTheAPIServerRefusesIsStalled(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	ctx := context.Background()
	// About 1.5 MB stored, under the API server's limit (about 1.5 MiB), but not with the
	// record of 1,755 products (about 150 KB) on top: 1,500 products with 128-character SKUs
	// make the record large, 255 with long descriptions make the spec large.
	f := newFeed(ns, "heavy", func(f *v1alpha1.FlipsnackFeed) {
		f.Spec.Products = nil
		for i := 0; i < 1500; i++ {
			sum := sha512.Sum512([]byte(fmt.Sprint("heavy", i)))
			f.Spec.Products = append(f.Spec.Products, v1alpha1.FeedProduct{Code: hex.EncodeToString(sum[:]), Type: "product"})
		}
		for i := 0; i < 255; i++ {
			f.Spec.Products = append(f.Spec.Products, v1alpha1.FeedProduct{Code: fmt.Sprintf("PAD-%d", i), Type: "product", Description: strings.Repeat("d", 5000)})
		}
	})
	must(t, k8s.Create(ctx, f))
	stalled := waitCondition(t, f, v1alpha1.ConditionStalled, metav1.ConditionTrue, engine.ReasonInvalidSpec)
	if !strings.Contains(stalled.Message, "the API server refused to store the record of pushed products") {
		t.Fatalf("Stalled message %q does not say the record could not be stored", stalled.Message)
	}
	hash := f.Status.SourceHash
	sf, _ := simFeed(hash)
	t.Logf("stalled with %d products on the platform: %s", len(sf.SKUs), stalled.Message)

	must(t, k8s.Delete(ctx, f))
	waitGone(t, f)
	if sf, ok := simFeed(hash); ok {
		t.Fatalf("feed still on the platform with %d SKUs: they were pushed but not recorded", len(sf.SKUs))
	}
}
