package flipsnackfeed

import (
	"encoding/json"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// specProductFields is a spec product under the platform's field names, each value of the
// platform's JSON type: the decimal strings of the spec (sellPrice: "19.99") become JSON
// numbers with exactly their digits (json.Number), booleans stay booleans. Fields left out
// of the spec are not sent. flipsnack.NormalizeProduct then holds the result to the schema.
func specProductFields(sp v1alpha1.FeedProduct) map[string]json.RawMessage {
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
