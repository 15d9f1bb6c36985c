package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
)

// What a FlipsnackFeed pushes has the documented JSON type for every field
// (developers.flipsnack.com, products/create: "Payloads must follow a predefined JSON schema"),
// read field by field from what the simulated platform stored.

// jsonType names the JSON type of a decoded value (numbers decoded as json.Number).
func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// storedProducts returns the products of the feed sourceHash by SKU, numbers as sent.
func (p flipsnackPlatform) storedProducts(t *testing.T, sourceHash string) map[string]map[string]any {
	t.Helper()
	feed, ok := p.feeds(t)[sourceHash]
	if !ok {
		t.Fatalf("Flipsnack: no feed %s", sourceHash)
	}
	out := map[string]map[string]any{}
	for _, raw := range feed.Products {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var product map[string]any
		must(t, dec.Decode(&product))
		out[fmt.Sprint(product["code"])] = product
	}
	return out
}

// checkFields compares got with want field by field: the JSON type and the value, and that
// got has no field want does not (at this level and below).
func checkFields(t *testing.T, path string, got, want map[string]any) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s.%s: missing", path, k)
			continue
		}
		if jsonType(g) != jsonType(w) {
			t.Errorf("%s.%s: %s %v, want %s %v", path, k, jsonType(g), g, jsonType(w), w)
			continue
		}
		switch w := w.(type) {
		case map[string]any:
			checkFields(t, path+"."+k, g.(map[string]any), w)
		case []any:
			gs := g.([]any)
			if len(gs) != len(w) {
				t.Errorf("%s.%s: %d items, want %d", path, k, len(gs), len(w))
				continue
			}
			for i := range w {
				checkFields(t, fmt.Sprintf("%s.%s[%d]", path, k, i), gs[i].(map[string]any), w[i].(map[string]any))
			}
		default:
			if g != w {
				t.Errorf("%s.%s: %v, want %v", path, k, g, w)
			}
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s.%s: not a field the feed declares (%v)", path, k, got[k])
		}
	}
}

func TestFeedPushesEveryDocumentedFieldWithItsJSONType(t *testing.T) {
	s := environment(t)
	ns := s.namespace(t, "e2e-feed-payload")
	// JSON, as a GitOps tool would send it; amounts as decimal strings.
	feed, err := json.Marshal(map[string]any{
		"apiVersion": "prodlife.dev/v1alpha1", "kind": "FlipsnackFeed", "metadata": map[string]any{"name": "every-field"},
		"spec": map[string]any{
			"credentialsSecretRef": map[string]any{"name": "flipsnack-credentials"},
			"products": []any{map[string]any{
				"code": "EVERY-1", "type": "product", "title": "Linen shirt", "description": "Washed linen",
				"imageLink": "https://example.com/shirt.jpg", "sellPrice": "19.99", "currency": "EUR",
				"discountPrice": "14.90", "quantity": true,
				"purchasableQty": map[string]any{"min": 1, "max": 5},
				"attribute": map[string]any{"name1": "Size", "options1": "S,M,L", "name2": "Colour", "options2": "white,sand",
					"name3": "Fit", "options3": "regular"},
				"imageAttribute": "Colour", "shopElement": "pin",
				"areaElement": map[string]any{"tooltip": "Linen shirt", "color": "#2563eb", "opacity": "0.4"},
				"shopButton":  map[string]any{"color": "#111827", "label": "Add to cart", "labelColor": "#ffffff"},
				"website":     map[string]any{"button": true, "buttonLabel": "Buy", "link": "https://example.com/shirt"},
				"customizableProduct": map[string]any{"product": true, "instructions": "Initials", "flatFee": "3.00",
					"perCharacter": "0.25", "characterLength": 3, "mandatory": false},
				"variants": []any{map[string]any{
					"code": "EVERY-1-M", "imageLink": "https://example.com/shirt-m.jpg", "visible": true,
					"attribute": map[string]any{"options1": "M", "options2": "sand", "options3": "regular"},
					"price":     "21.50", "discountPrice": "18.00",
				}},
			}},
		},
	})
	must(t, err)
	s.kubectl.runWithInput(t, string(feed), "apply", "--server-side", "-n", ns, "-f", "-")
	s.kubectl.run(t, "wait", "-n", ns, "--for=condition=Ready", "--timeout=60s", "flipsnackfeed/every-field")
	sourceHash := s.kubectl.run(t, "get", "-n", ns, "flipsnackfeed/every-field", "-o", "jsonpath={.status.sourceHash}")
	if len(sourceHash) != 64 {
		t.Errorf("sourceHash %q is %d characters, want 64", sourceHash, len(sourceHash))
	}

	n := func(s string) json.Number { return json.Number(s) }
	checkFields(t, "EVERY-1", s.flipsnack.storedProducts(t, sourceHash)["EVERY-1"], map[string]any{
		"code": "EVERY-1", "type": "product", "title": "Linen shirt", "description": "Washed linen",
		"image_link": "https://example.com/shirt.jpg", "sell_price": n("19.99"), "currency": "EUR",
		"discount_price": n("14.90"), "quantity": true,
		"purchasable_qty": map[string]any{"min": n("1"), "max": n("5")},
		"attribute": map[string]any{"name1": "Size", "options1": "S,M,L", "name2": "Colour", "options2": "white,sand",
			"name3": "Fit", "options3": "regular"},
		"image_attribute": "Colour", "shop_element": "pin",
		"area_element": map[string]any{"tooltip": "Linen shirt", "color": "#2563eb", "opacity": n("0.4")},
		"shop_button":  map[string]any{"color": "#111827", "label": "Add to cart", "label_color": "#ffffff"},
		"website":      map[string]any{"button": true, "button_label": "Buy", "link": "https://example.com/shirt"},
		"customizable_product": map[string]any{"product": true, "instructions": "Initials", "flat_fee": n("3.00"),
			"per_character": n("0.25"), "character_length": n("3"), "mandatory": false},
		"variants": []any{map[string]any{
			"code": "EVERY-1-M", "parent_code": "EVERY-1", "image_link": "https://example.com/shirt-m.jpg", "visible": true,
			"attribute": map[string]any{"options1": "M", "options2": "sand", "options3": "regular"},
			"price":     n("21.50"), "discount_price": n("18.00"),
		}},
	})
	s.kubectl.run(t, "delete", "-n", ns, "flipsnackfeed/every-field", "--timeout=60s")
}

// The sample `make dev` applies shows the documented types on the simulator too.
func TestSampleFeedReachesThePlatformWithDocumentedTypes(t *testing.T) {
	s := environment(t)
	ns := s.namespace(t, "e2e-sample-types")
	s.kubectl.run(t, "apply", "--server-side", "-n", ns, "-f", filepath.Join(samplesDir(), "prodlife_v1alpha1_flipsnackfeed.yaml"))
	s.kubectl.run(t, "wait", "-n", ns, "--for=condition=Ready", "--timeout=60s", "flipsnackfeed/spring-catalogue")
	sourceHash := s.kubectl.run(t, "get", "-n", ns, "flipsnackfeed/spring-catalogue", "-o", "jsonpath={.status.sourceHash}")
	products := s.flipsnack.storedProducts(t, sourceHash)
	shirt, bag := products["SKU-01"], products["SKU-02"]
	for what, got := range map[string]any{
		"SKU-01 sell_price": shirt["sell_price"], "SKU-02 discount_price": bag["discount_price"],
		"SKU-01 purchasable_qty.max":  shirt["purchasable_qty"].(map[string]any)["max"],
		"SKU-01 variants[0].price":    shirt["variants"].([]any)[0].(map[string]any)["price"],
		"SKU-02 area_element.opacity": bag["area_element"].(map[string]any)["opacity"],
	} {
		if jsonType(got) != "number" {
			t.Errorf("%s: %s %v, want a number", what, jsonType(got), got)
		}
	}
	if shirt["quantity"] != true || shirt["sell_price"] != json.Number("39.90") {
		t.Errorf("SKU-01: quantity %v, sell_price %v; want true and 39.90", shirt["quantity"], shirt["sell_price"])
	}
	s.kubectl.run(t, "delete", "-n", ns, "flipsnackfeed/spring-catalogue", "--timeout=60s")
}
