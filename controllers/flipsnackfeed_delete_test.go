package controllers_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/internal/flipsnack"
)

// A feed of 10,000 SKUs kept in ConfigMaps is pushed in 20 calls and deleted in exactly 20
// calls of 500, with the progress in the Ready condition. It uses an account of its own, so
// its 40 calls fit the documented budget of 60 a minute.
func TestFlipsnackFeedOf10000SKUsIsDeletedIn20Calls(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackBigKey, flipsnackBigSecret)
	var sources []v1alpha1.ProductsSource
	for c := 0; c < 4; c++ {
		products := make([]map[string]any, 2500)
		for i := range products {
			n := c*2500 + i
			products[i] = map[string]any{"type": "product", "code": fmt.Sprintf("BIG-%05d", n), "title": fmt.Sprintf("Product %d", n), "sell_price": "1.00"}
		}
		data, err := json.Marshal(products)
		must(t, err)
		name := fmt.Sprintf("catalogue-%d", c)
		must(t, k8s.Create(context.Background(), &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Data:       map[string]string{"products.json": string(data)},
		}))
		sources = append(sources, v1alpha1.ProductsSource{ConfigMap: v1alpha1.ConfigMapProducts{Name: name, Key: "products.json"}})
	}
	f := newFeed(ns, "big", func(f *v1alpha1.FlipsnackFeed) { f.Spec.Products = nil; f.Spec.ProductsFrom = sources })
	must(t, k8s.Create(context.Background(), f))
	eventually(t, "10,000 products pushed", func() string {
		must(t, k8s.Get(context.Background(), client.ObjectKeyFromObject(f), f))
		if c := condition(f, v1alpha1.ConditionReady); c == nil || c.Status != metav1.ConditionTrue {
			return fmt.Sprintf("Ready %+v", c)
		}
		return ""
	})
	hash := f.Status.SourceHash
	if sf, _ := simFeed(hash); len(sf.SKUs) != 10000 || f.Status.ProductsPushed != 10000 {
		t.Fatalf("platform has %d SKUs, status says %d pushed; want 10,000", len(sf.SKUs), f.Status.ProductsPushed)
	}
	if c := feedCalls("products.create", hash); len(c) != 20 {
		t.Fatalf("%d products.create calls, want 20 of 500", len(c))
	}
	t.Logf("record of 10,000 products in status: %d bytes", len(f.Status.Pushed))

	must(t, k8s.Delete(context.Background(), f))
	var progress, columns []string
	deadline := time.Now().Add(waitFor)
	for {
		err := k8s.Get(context.Background(), client.ObjectKeyFromObject(f), f)
		if client.IgnoreNotFound(err) != nil {
			t.Fatal(err)
		}
		if err != nil {
			break
		}
		if c := meta.FindStatusCondition(f.Status.Conditions, v1alpha1.ConditionReady); c != nil && strings.Contains(c.Message, "of 10,000 products") {
			if len(progress) == 0 || progress[len(progress)-1] != c.Message {
				progress = append(progress, c.Message)
			}
		}
		if p := f.Status.DeletionProgress; p != "" && (len(columns) == 0 || columns[len(columns)-1] != p) {
			columns = append(columns, p)
		}
		if time.Now().After(deadline) {
			t.Fatalf("feed not gone; progress %q", progress)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(progress) == 0 {
		t.Fatalf("no progress (\"deleted N of 10,000 products\") was visible in Ready")
	}
	t.Logf("progress seen: %q", progress)
	// The same progress in status.deletionProgress, the column of `kubectl get fsfeed`.
	if len(columns) == 0 || !slices.ContainsFunc(columns, func(c string) bool { return c != "0/10,000" && strings.HasSuffix(c, "/10,000") }) {
		t.Errorf("status.deletionProgress seen %q, want a deletion under way out of 10,000 (\"1,000/10,000\")", columns)
	}
	if sf, ok := simFeed(hash); ok {
		t.Fatalf("feed still on the platform with %d SKUs", len(sf.SKUs))
	}
	del := feedCalls("products.delete", hash)
	if len(del) != 20 {
		t.Fatalf("%d products.delete calls, want exactly 20", len(del))
	}
	for _, c := range del {
		if c.Items != 500 || c.Code != 20 {
			t.Fatalf("products.delete call %+v, want 500 SKUs answered 20", c)
		}
	}
}

// A feed pushed before SKUs were held to these rules may have recorded "SKU-1<NBSP>". Its
// deletion sends exactly that SKU, clears its entry from the record and lets the object go;
// a client that trimmed it would delete "SKU-1" instead, and the entry would stay for ever.
func TestFlipsnackFeedDeletionSendsARecordedSKUByteForByte(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	ctx := context.Background()
	const hash = "legacy-nbsp"
	skus := []string{"SKU-1\u00a0", "SKU-2"}

	// What the platform got from an earlier operator.
	var products []json.RawMessage
	for _, sku := range skus {
		b, _ := json.Marshal(map[string]string{"type": "product", "code": sku})
		products = append(products, b)
	}
	old := flipsnack.NewClientSet(flipsnack.Options{Endpoint: fsURL, Timeout: testTimeout}).For(flipsnackKey, flipsnackSecret)
	_, err := old.CreateProducts(ctx, hash, products)
	must(t, err)

	// The feed as that operator left it: identity recorded, both SKUs in status.pushed. The
	// suite's operator sees it only once the label goes, when it is already being deleted.
	f := newFeed(ns, "legacy", func(f *v1alpha1.FlipsnackFeed) {
		f.Spec.Products = nil
		f.Labels = map[string]string{ownManagerLabel: "true"}
		f.Finalizers = []string{v1alpha1.Finalizer}
		f.Annotations = map[string]string{v1alpha1.ExternalIDAnnotation: hash}
	})
	must(t, k8s.Create(ctx, f))
	record := gzipped(t, "SKU-1\u00a0\ttype=0badcafe\nSKU-2\ttype=0badcafe\n")
	patch, _ := json.Marshal(map[string]any{"status": map[string]any{"pushed": record, "sourceHash": hash, "productsPushed": 2}})
	must(t, k8s.Status().Patch(ctx, f, client.RawPatch(types.MergePatchType, patch)))
	must(t, k8s.Delete(ctx, f))
	must(t, k8s.Patch(ctx, f, client.RawPatch(types.MergePatchType, []byte(fmt.Sprintf(`{"metadata":{"labels":{%q:null}}}`, ownManagerLabel)))))

	waitGone(t, f)
	if sf, ok := simFeed(hash); ok {
		t.Fatalf("feed still on the platform with %q", sf.SKUs)
	}
	del := feedCalls("products.delete", hash)
	if len(del) != 1 || del[0].Params["productsSKU"] != strings.Join(skus, ",") {
		t.Fatalf("products.delete calls %+v, want one with productsSKU exactly %q", del, strings.Join(skus, ","))
	}
	waitEvent(t, f, "Deleted: deleted feed "+hash, "deleted 2 of 2 products")
}

func gzipped(t *testing.T, text string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write([]byte(text))
	must(t, err)
	must(t, zw.Close())
	return buf.Bytes()
}
