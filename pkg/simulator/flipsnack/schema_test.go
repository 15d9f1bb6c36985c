package flipsnack

import (
	"strings"
	"testing"
)

// Every products.create and products.update payload is held to the documented product schema
// ("Payloads must follow a predefined JSON schema"): each breach is code 40 and lists the
// offending field, and nothing of the request is applied.
func TestPayloadsFollowTheDocumentedSchema(t *testing.T) {
	create := func(products string) map[string]string {
		return signed("products.create", map[string]string{"sourceHash": "src", "products": products})
	}
	update := func(products string) map[string]string {
		return signed("products.update", map[string]string{"sourceHash": "seeded", "products": products})
	}
	const ok = `{"type":"product","code":"OK"}`
	tests := []struct {
		name   string
		params map[string]string
		want   []string // each in data.errors; none means accepted
	}{
		{"every documented field with its type", create(`[{"type":"product","code":"A","title":"t","description":"d","image_link":"https://i","sell_price":19.99,"currency":"EUR","discount_price":15,"quantity":true,"purchasable_qty":{"min":1,"max":5},"attribute":{"name1":"Size","options1":"S,M","name2":"","options2":"","name3":"","options3":""},"image_attribute":"Size","shop_element":"pin","area_element":{"tooltip":"t","color":"#fff","opacity":0.5},"shop_button":{"color":"#000","label":"Add","label_color":"#fff"},"website":{"button":true,"button_label":"Buy","link":"https://w"},"customizable_product":{"product":true,"instructions":"i","flat_fee":3,"per_character":0.1,"character_length":12,"mandatory":false},"variants":[{"code":"A-M","parent_code":"A","image_link":"https://m","visible":true,"attribute":{"options1":"M","options2":"","options3":""},"price":21.5,"discount_price":18}]}]`), nil},
		{"a price as a string", create(`[` + ok + `,{"type":"p","code":"B","sell_price":"19.99"}]`), []string{"products[1].sell_price: want a number"}},
		{"quantity as a count", create(`[{"type":"p","code":"B","quantity":120}]`), []string{"products[0].quantity: want a boolean"}},
		{"a string field as a number", create(`[{"type":"p","code":"B","title":7}]`), []string{"products[0].title: want a string"}},
		{"an object field as a string", create(`[{"type":"p","code":"B","website":"https://w"}]`), []string{"products[0].website: want an object"}},
		{"a nested field of the wrong type", create(`[{"type":"p","code":"B","area_element":{"opacity":"0.5"},"website":{"button":"yes"}}]`),
			[]string{"products[0].area_element.opacity: want a number", "products[0].website.button: want a boolean"}},
		{"an unknown field", create(`[{"type":"p","code":"B","colour":"red"}]`), []string{"products[0].colour: unknown field"}},
		{"an unknown nested field", create(`[{"type":"p","code":"B","shop_button":{"colour":"red"}}]`), []string{"products[0].shop_button.colour: unknown field"}},
		{"variant fields the schema does not have", create(`[{"type":"p","code":"B","variants":[{"code":"V","title":"Red","sell_price":1}]}]`),
			[]string{"products[0].variants[0].sell_price: unknown field", "products[0].variants[0].title: unknown field"}},
		{"a variant price as a string", create(`[{"type":"p","code":"B","variants":[{"code":"V","price":"1.00"}]}]`), []string{"products[0].variants[0].price: want a number"}},
		{"variants not an array", create(`[{"type":"p","code":"B","variants":{"code":"V"}}]`), []string{"products[0].variants: want an array"}},
		{"create without type", create(`[{"code":"B"}]`), []string{"products[0].type: required"}},
		{"create without code", create(`[{"type":"p"}]`), []string{"products[0].code: required"}},
		{"a code that is a number", create(`[{"type":"p","code":7}]`), []string{"products[0].code: want a string"}},
		{"every offending field listed", create(`[{"type":"p","code":"B","sell_price":"1"},{"type":"p","code":"C","quantity":1}]`),
			[]string{"products[0].sell_price: want a number", "products[1].quantity: want a boolean"}},
		{"update: a partial product", update(`[{"code":"S","sell_price":4.5}]`), nil},
		{"update: null clears a field", update(`[{"code":"S","title":null}]`), nil},
		{"update: a price as a string", update(`[{"code":"S","sell_price":"4.50"}]`), []string{"products[0].sell_price: want a number"}},
		{"update: an unknown field", update(`[{"code":"S","stock":3}]`), []string{"products[0].stock: unknown field"}},
		{"update: without code", update(`[{"title":"x"}]`), []string{"products[0].code: required"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newUnlimited(Options{})
			if err := s.Seed(testKey, "seeded", raws(`{"type":"product","code":"S","title":"Seeded"}`)); err != nil {
				t.Fatal(err)
			}
			a := postForm(t, s, tc.params)
			if tc.want == nil {
				if a.Code != CodeOK {
					t.Fatalf("answer %+v, want 20", a)
				}
				return
			}
			if a.Code != CodeInvalidData {
				t.Fatalf("answer %+v, want 40", a)
			}
			errs := strings.Join(a.Data.Errors, "\n")
			for _, w := range tc.want {
				if !strings.Contains(errs, w) {
					t.Errorf("data.errors %q, want %q", a.Data.Errors, w)
				}
			}
			// Nothing of a refused request is applied.
			for _, f := range s.Feeds() {
				if f.SourceHash == "src" {
					t.Errorf("the refused create made feed src with %v", f.SKUs)
				}
				if f.SourceHash == "seeded" && !strings.Contains(string(f.Products[0]), `"title":"Seeded"`) {
					t.Errorf("the refused update changed %s", f.Products[0])
				}
			}
		})
	}
}
