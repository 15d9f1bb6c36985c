package controllers_test

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
)

// A SKU in a ConfigMap is held to the rules the API server applies to spec.products: a SKU
// with a Unicode space or an invisible character (no-break space, line separator, zero-width
// space), also a variant's, stalls the feed with a message naming the ConfigMap, the product's
// index and the character, and nothing of the feed reaches the platform.
func TestFlipsnackFeedConfigMapSKUWithInvisibleCharacterIsRefused(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	cases := []struct {
		name, products string
		want           []string
	}{
		{"nbsp", `[{"type":"product","code":"CM-1"},{"type":"product","code":"CM-2\u00a0"}]`,
			[]string{"ConfigMap nbsp key products.json, product 1", `SKU "CM-2\u00a0"`, "U+00A0 (a space)"}},
		{"line-separator", `[{"type":"product","code":"CM-1\u2028"}]`,
			[]string{"ConfigMap line-separator key products.json, product 0", "U+2028 (a line separator)"}},
		{"zero-width-variant", `[{"type":"product","code":"CM-1"},{"type":"product","code":"CM-2","variants":[{"code":"CM-2-RED\u200b"}]}]`,
			[]string{"ConfigMap zero-width-variant key products.json, product 1", "variant 0", "U+200B (an invisible format character)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			must(t, k8s.Create(context.Background(), &corev1.ConfigMap{
				ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: tc.name},
				Data:       map[string]string{"products.json": tc.products},
			}))
			f := newFeed(ns, tc.name, func(f *v1alpha1.FlipsnackFeed) {
				f.Spec.ProductsFrom = []v1alpha1.ProductsSource{{ConfigMap: v1alpha1.ConfigMapProducts{Name: tc.name, Key: "products.json"}}}
			})
			must(t, k8s.Create(context.Background(), f))
			stalled := waitCondition(t, f, v1alpha1.ConditionStalled, metav1.ConditionTrue, engine.ReasonInvalidSpec)
			for _, want := range tc.want {
				if !strings.Contains(stalled.Message, want) {
					t.Errorf("Stalled message %q does not say %q", stalled.Message, want)
				}
			}
			if c := feedCalls("products.create", f.Status.SourceHash); f.Status.SourceHash == "" || len(c) != 0 {
				t.Fatalf("products.create calls %+v for feed %q, want none", c, f.Status.SourceHash)
			}
		})
	}
}
