package flipsnackfeed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// PlatformFields is a spec product under the platform's field names, each value of the
// platform's JSON type: the decimal strings of the spec (sellPrice: "19.99") become JSON
// numbers with exactly their digits (json.Number), booleans stay booleans. Fields left out
// of the spec are not sent. flipsnack.NormalizeProduct then holds the result to the schema.
func PlatformFields(sp v1alpha1.FeedProduct) map[string]json.RawMessage {
	m := map[string]any{"code": sp.Code, "type": sp.Type}
	putString(m, "title", sp.Title)
	putString(m, "description", sp.Description)
	putString(m, "image_link", sp.ImageLink)
	putNumber(m, "sell_price", sp.SellPrice)
	putString(m, "currency", sp.Currency)
	putNumber(m, "discount_price", sp.DiscountPrice)
	putBool(m, "quantity", sp.Quantity)
	if q := sp.PurchasableQty; q != nil {
		putObject(m, "purchasable_qty", func(o map[string]any) {
			putInt(o, "min", q.Min)
			putInt(o, "max", q.Max)
		})
	}
	if a := sp.Attribute; a != nil {
		putObject(m, "attribute", func(o map[string]any) {
			putString(o, "name1", a.Name1)
			putString(o, "options1", a.Options1)
			putString(o, "name2", a.Name2)
			putString(o, "options2", a.Options2)
			putString(o, "name3", a.Name3)
			putString(o, "options3", a.Options3)
		})
	}
	putString(m, "image_attribute", sp.ImageAttribute)
	putString(m, "shop_element", sp.ShopElement)
	if a := sp.AreaElement; a != nil {
		putObject(m, "area_element", func(o map[string]any) {
			putString(o, "tooltip", a.Tooltip)
			putString(o, "color", a.Color)
			putNumber(o, "opacity", a.Opacity)
		})
	}
	if b := sp.ShopButton; b != nil {
		putObject(m, "shop_button", func(o map[string]any) {
			putString(o, "color", b.Color)
			putString(o, "label", b.Label)
			putString(o, "label_color", b.LabelColor)
		})
	}
	if w := sp.Website; w != nil {
		putObject(m, "website", func(o map[string]any) {
			putBool(o, "button", w.Button)
			putString(o, "button_label", w.ButtonLabel)
			putString(o, "link", w.Link)
		})
	}
	if c := sp.CustomizableProduct; c != nil {
		putObject(m, "customizable_product", func(o map[string]any) {
			putBool(o, "product", c.Product)
			putString(o, "instructions", c.Instructions)
			putNumber(o, "flat_fee", c.FlatFee)
			putNumber(o, "per_character", c.PerCharacter)
			putInt(o, "character_length", c.CharacterLength)
			putBool(o, "mandatory", c.Mandatory)
		})
	}
	if len(sp.Variants) > 0 {
		vs := make([]map[string]any, len(sp.Variants))
		for i, v := range sp.Variants {
			vm := map[string]any{"code": v.Code, "parent_code": sp.Code}
			putString(vm, "image_link", v.ImageLink)
			putBool(vm, "visible", v.Visible)
			if a := v.Attribute; a != nil {
				putObject(vm, "attribute", func(o map[string]any) {
					putString(o, "options1", a.Options1)
					putString(o, "options2", a.Options2)
					putString(o, "options3", a.Options3)
				})
			}
			putNumber(vm, "price", v.Price)
			putNumber(vm, "discount_price", v.DiscountPrice)
			vs[i] = vm
		}
		m["variants"] = vs
	}
	out := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		b, _ := json.Marshal(v)
		out[k] = b
	}
	return out
}

// SpecProduct is the spec product that PlatformFields turns into fields, product for product
// and digit for digit: the way back, for a catalogue written in the platform's names (kubectl
// prodlife import flipsnack). fields must be as feedplan.NewProduct leaves them. An error
// says what the spec cannot express (a variant's parent_code that is not the product's code).
func SpecProduct(fields map[string]json.RawMessage) (v1alpha1.FeedProduct, error) {
	obj := make(map[string]any, len(fields))
	for k, raw := range fields {
		var v any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return v1alpha1.FeedProduct{}, fmt.Errorf("field %s: %w", k, err)
		}
		obj[k] = v
	}
	if vs, ok := obj["variants"].([]any); ok {
		for _, v := range vs {
			if vm, ok := v.(map[string]any); ok && vm["parent_code"] == obj["code"] {
				delete(vm, "parent_code") // the spec nests variants: their parent is implied
			}
		}
	}
	b, err := json.Marshal(specNames(obj, ""))
	if err != nil {
		return v1alpha1.FeedProduct{}, err
	}
	var sp v1alpha1.FeedProduct
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sp); err != nil {
		return v1alpha1.FeedProduct{}, fmt.Errorf("not expressible in spec.products: %w", err)
	}
	back, err := json.Marshal(PlatformFields(sp))
	if err != nil {
		return v1alpha1.FeedProduct{}, err
	}
	want, err := json.Marshal(fields)
	if err != nil {
		return v1alpha1.FeedProduct{}, err
	}
	if !jsonEqual(back, want) {
		return v1alpha1.FeedProduct{}, fmt.Errorf("spec.products would send %s, not %s", back, want)
	}
	return sp, nil
}

// specNames renames the platform's snake_case fields to the spec's camelCase ones, and
// writes the numbers the spec holds as decimal strings (amounts) as strings; the counts it
// holds as integers stay numbers.
func specNames(v any, name string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, vv := range x {
			out[camel(k)] = specNames(vv, k)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, vv := range x {
			out[i] = specNames(vv, name)
		}
		return out
	case json.Number:
		if integerFields[name] {
			return x
		}
		return x.String()
	}
	return v
}

// integerFields are the platform's numbers that the spec holds as integers.
var integerFields = map[string]bool{"min": true, "max": true, "character_length": true}

func camel(snake string) string {
	parts := strings.Split(snake, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// jsonEqual compares two JSON documents as values, numbers by their digits.
func jsonEqual(a, b []byte) bool {
	canon := func(doc []byte) string {
		var v any
		dec := json.NewDecoder(bytes.NewReader(doc))
		dec.UseNumber()
		if dec.Decode(&v) != nil {
			return "invalid: " + string(doc)
		}
		out, _ := json.Marshal(v)
		return string(out)
	}
	return canon(a) == canon(b)
}

func putString(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

// putNumber puts a decimal string of the spec as a JSON number, with exactly its digits.
func putNumber(m map[string]any, k, v string) {
	if v != "" {
		m[k] = json.Number(v)
	}
}

func putInt(m map[string]any, k string, v *int64) {
	if v != nil {
		m[k] = *v
	}
}

func putBool(m map[string]any, k string, v *bool) {
	if v != nil {
		m[k] = *v
	}
}

// putObject puts a nested object when fill sets any of its fields.
func putObject(m map[string]any, k string, fill func(map[string]any)) {
	o := map[string]any{}
	fill(o)
	if len(o) > 0 {
		m[k] = o
	}
}
