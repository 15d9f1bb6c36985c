package controllers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// What reaches the platform has the documented JSON types (developers.flipsnack.com,
// products/create): numbers as JSON numbers with the digits written, booleans as booleans,
// variants with their documented fields only.

func TestFeedPayloadHasTheDocumentedJSONTypes(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	f := newFeed(ns, "typed", func(f *v1alpha1.FlipsnackFeed) {
		f.Spec.Products = []v1alpha1.FeedProduct{{
			Code: "TYPED-1", Type: "product", Title: "Shirt", SellPrice: "19.99", DiscountPrice: "0.10000000000000000555",
			Currency: "EUR", Quantity: ptr.To(true),
			PurchasableQty: &v1alpha1.FeedProductPurchasableQty{Min: ptr.To[int64](1), Max: ptr.To[int64](5)},
			AreaElement:    &v1alpha1.FeedProductAreaElement{Tooltip: "Shirt", Opacity: "0.5"},
			CustomizableProduct: &v1alpha1.FeedProductCustomizable{
				Product: ptr.To(true), FlatFee: "3.00", PerCharacter: "0.10", CharacterLength: ptr.To[int64](12), Mandatory: ptr.To(false),
			},
			Variants: []v1alpha1.FeedProductVariant{{
				Code: "TYPED-1-M", Visible: ptr.To(true), Price: "21.50",
				Attribute: &v1alpha1.FeedVariantAttribute{Options1: "M"},
			}},
		}}
	})
	hash := readyFeed(t, f)
	p := simProduct(t, hash, "TYPED-1")
	want := map[string]any{
		"sell_price": json.Number("19.99"),
		// No float64 round trip: every digit written reaches the platform.
		"discount_price": json.Number("0.10000000000000000555"),
		"quantity":       true,
	}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("platform has %s = %#v, want %#v", k, p[k], v)
		}
	}
	nested := func(k string) map[string]any { m, _ := p[k].(map[string]any); return m }
	if q := nested("purchasable_qty"); q["min"] != json.Number("1") || q["max"] != json.Number("5") {
		t.Errorf("purchasable_qty %#v, want numbers 1 and 5", q)
	}
	if a := nested("area_element"); a["opacity"] != json.Number("0.5") {
		t.Errorf("area_element %#v, want opacity the number 0.5", a)
	}
	if c := nested("customizable_product"); c["flat_fee"] != json.Number("3.00") || c["per_character"] != json.Number("0.10") ||
		c["character_length"] != json.Number("12") || c["product"] != true || c["mandatory"] != false {
		t.Errorf("customizable_product %#v, want numbers and booleans", c)
	}
	variants, _ := p["variants"].([]any)
	if len(variants) != 1 {
		t.Fatalf("variants %#v, want one", p["variants"])
	}
	v := variants[0].(map[string]any)
	if v["code"] != "TYPED-1-M" || v["parent_code"] != "TYPED-1" || v["price"] != json.Number("21.50") || v["visible"] != true {
		t.Errorf("variant %#v, want code, parent_code, price 21.50 (a number), visible true", v)
	}
	for _, k := range []string{"title", "sell_price"} {
		if _, has := v[k]; has {
			t.Errorf("variant carries %s, which the platform's variant does not have", k)
		}
	}
}

// A ConfigMap's products are the platform's: a number may be written as a JSON number or a
// decimal string (sent as the number), and anything else the schema does not allow is refused
// with the field named, before any call.
func TestFeedConfigMapProductsFollowTheSchema(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "typed"},
		Data: map[string]string{"products.json": `[{"type":"product","code":"CMT-1","sell_price":"39.90","discount_price":35,"quantity":false,
			"variants":[{"code":"CMT-1-S","price":"40.10","attribute":{"options1":"S"}}]}]`},
	}
	must(t, k8s.Create(context.Background(), cm))
	f := newFeed(ns, "typed-cm", func(f *v1alpha1.FlipsnackFeed) {
		f.Spec.Products = nil
		f.Spec.ProductsFrom = []v1alpha1.ProductsSource{{ConfigMap: v1alpha1.ConfigMapProducts{Name: "typed", Key: "products.json"}}}
	})
	hash := readyFeed(t, f)
	p := simProduct(t, hash, "CMT-1")
	if p["sell_price"] != json.Number("39.90") || p["discount_price"] != json.Number("35") || p["quantity"] != false {
		t.Errorf("platform has %#v; want sell_price 39.90 and discount_price 35 as numbers, quantity false", p)
	}
	v := p["variants"].([]any)[0].(map[string]any)
	if v["price"] != json.Number("40.10") || v["parent_code"] != "CMT-1" {
		t.Errorf("variant %#v; want price the number 40.10 and parent_code CMT-1", v)
	}

	for _, tc := range []struct{ name, products, want string }{
		{"quantity as a count", `[{"type":"product","code":"CMT-1","quantity":120}]`, "quantity: want a boolean"},
		{"a price that is no number", `[{"type":"product","code":"CMT-1","sell_price":"cheap"}]`, "sell_price: want a number"},
		{"a field the platform does not have", `[{"type":"product","code":"CMT-1","colour":"red"}]`, "colour: not a field of the platform's product"},
		{"a variant with a title", `[{"type":"product","code":"CMT-1","variants":[{"code":"V","title":"Red"}]}]`, "variants[0].title: not a field"},
		{"a variant of another product", `[{"type":"product","code":"CMT-1","variants":[{"code":"V","parent_code":"OTHER"}]}]`, "variants[0].parent_code"},
		{"a boolean as text", `[{"type":"product","code":"CMT-1","website":{"button":"yes"}}]`, "website.button: want a boolean"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := len(fsSim.Calls())
			must(t, k8s.Get(context.Background(), client.ObjectKeyFromObject(cm), cm))
			cm.Data["products.json"] = tc.products
			must(t, k8s.Update(context.Background(), cm))
			eventually(t, "Stalled InvalidSpec naming the ConfigMap and "+tc.want, func() string {
				must(t, k8s.Get(context.Background(), client.ObjectKeyFromObject(f), f))
				c := condition(f, v1alpha1.ConditionStalled)
				if c == nil || c.Status != metav1.ConditionTrue || c.Reason != "InvalidSpec" ||
					!strings.Contains(c.Message, tc.want) || !strings.Contains(c.Message, "ConfigMap typed") {
					return fmt.Sprintf("Stalled is %+v", c)
				}
				return ""
			})
			if n := len(fsSim.Calls()); n != calls {
				t.Errorf("%d calls reached the platform for a refused ConfigMap", n-calls)
			}
		})
	}
	if got := fmt.Sprint(simProduct(t, hash, "CMT-1")["sell_price"]); got != "39.90" {
		t.Errorf("the pushed product changed to sell_price %s while its ConfigMap was refused", got)
	}
}

// A feed whose identity an older operator recorded ("plo-" and 32 hex digits, 36 characters)
// keeps it: identity never changes, and its products go on reaching that feed.
func TestFeedRecordedWithAnOlderSourceHashKeepsIt(t *testing.T) {
	ctx := context.Background()
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	const legacy = "plo-0123456789abcdef0123456789abcdef"
	f := newFeed(ns, "legacy-hash", func(f *v1alpha1.FlipsnackFeed) {
		f.Labels = map[string]string{ownManagerLabel: "true"}
		f.Finalizers = []string{v1alpha1.Finalizer}
		f.Annotations = map[string]string{v1alpha1.ExternalIDAnnotation: legacy}
	})
	must(t, k8s.Create(ctx, f))
	patch, _ := json.Marshal(map[string]any{"status": map[string]any{"sourceHash": legacy}})
	must(t, k8s.Status().Patch(ctx, f, client.RawPatch(types.MergePatchType, patch)))
	must(t, k8s.Patch(ctx, f, client.RawPatch(types.MergePatchType, []byte(fmt.Sprintf(`{"metadata":{"labels":{%q:null}}}`, ownManagerLabel)))))

	waitCondition(t, f, v1alpha1.ConditionReady, metav1.ConditionTrue, "Available")
	if f.Status.SourceHash != legacy || f.Annotations[v1alpha1.ExternalIDAnnotation] != legacy {
		t.Fatalf("sourceHash %q (annotation %q), want the recorded %s", f.Status.SourceHash, f.Annotations[v1alpha1.ExternalIDAnnotation], legacy)
	}
	if sf, ok := simFeed(legacy); !ok || len(sf.SKUs) != 3 {
		t.Fatalf("platform feed %s: %+v, want the 3 products", legacy, sf)
	}
	must(t, k8s.Delete(ctx, f))
	waitGone(t, f)
	if _, ok := simFeed(legacy); ok {
		t.Fatalf("feed %s still on the platform", legacy)
	}
}
