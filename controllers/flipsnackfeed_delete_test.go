package controllers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
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
	var progress []string
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
		if time.Now().After(deadline) {
			t.Fatalf("feed not gone; progress %q", progress)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(progress) == 0 {
		t.Fatalf("no progress (\"deleted N of 10,000 products\") was visible in Ready")
	}
	t.Logf("progress seen: %q", progress)
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
