package flipsnackfeed

import (
	"encoding/json"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/flipsnackfeed/feedplan"
)

func TestSpecProductFieldsAreThePlatformsNamesAndTypes(t *testing.T) {
	yes, no := true, false
	one, ten := int64(1), int64(10)
	for _, tc := range []struct {
		name string
		sp   v1alpha1.FeedProduct
		want string // the fields as one JSON object
	}{
		{
			name: "only code and type",
			sp:   v1alpha1.FeedProduct{Code: "A", Type: "product"},
			want: `{"code":"A","type":"product"}`,
		},
		{
			name: "decimal strings become numbers with their digits",
			sp:   v1alpha1.FeedProduct{Code: "A", Type: "product", Title: "Lamp", SellPrice: "19.990", DiscountPrice: "0.1", Currency: "EUR"},
			want: `{"code":"A","type":"product","title":"Lamp","sell_price":19.990,"discount_price":0.1,"currency":"EUR"}`,
		},
		{
			name: "a false boolean is sent, an unset one is not",
			sp:   v1alpha1.FeedProduct{Code: "A", Type: "product", Quantity: &no, Website: &v1alpha1.FeedProductWebsite{Button: &yes}},
			want: `{"code":"A","type":"product","quantity":false,"website":{"button":true}}`,
		},
		{
			name: "an object with no field set is left out",
			sp:   v1alpha1.FeedProduct{Code: "A", Type: "product", Attribute: &v1alpha1.FeedProductAttribute{}, PurchasableQty: &v1alpha1.FeedProductPurchasableQty{}},
			want: `{"code":"A","type":"product"}`,
		},
		{
			name: "nested objects under the platform's names",
			sp: v1alpha1.FeedProduct{
				Code: "A", Type: "product", ImageLink: "https://example.com/a.png",
				PurchasableQty: &v1alpha1.FeedProductPurchasableQty{Min: &one, Max: &ten},
				Attribute:      &v1alpha1.FeedProductAttribute{Name1: "Size", Options1: "S,M"},
				AreaElement:    &v1alpha1.FeedProductAreaElement{Tooltip: "Buy", Opacity: "0.5"},
			},
			want: `{"code":"A","type":"product","image_link":"https://example.com/a.png",
				"purchasable_qty":{"min":1,"max":10},"attribute":{"name1":"Size","options1":"S,M"},
				"area_element":{"tooltip":"Buy","opacity":0.5}}`,
		},
		{
			name: "variants name their parent",
			sp: v1alpha1.FeedProduct{Code: "A", Type: "product", Variants: []v1alpha1.FeedProductVariant{
				{Code: "A-S", Price: "9.5", Visible: &no},
			}},
			want: `{"code":"A","type":"product","variants":[{"code":"A-S","parent_code":"A","price":9.5,"visible":false}]}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := PlatformFields(tc.sp)
			var want map[string]json.RawMessage
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Errorf("fields %s, want %s", asJSON(got), tc.want)
			}
			for k, w := range want {
				if !sameJSON(t, got[k], w) {
					t.Errorf("%s: %s, want %s", k, got[k], w)
				}
			}
			// What the adapter sends must hold to the platform's schema.
			if _, err := feedplan.NewProduct(got); err != nil {
				t.Errorf("newFeedProduct refuses the fields: %v", err)
			}
		})
	}
}

// sameJSON compares two JSON texts, numbers by their digits.
func sameJSON(t *testing.T, a, b json.RawMessage) bool {
	t.Helper()
	return jsonEqual(a, b)
}

func asJSON(m map[string]json.RawMessage) string {
	b, _ := json.Marshal(m)
	return string(b)
}

// SpecProduct is the way back from the platform's fields to the spec, exact or refused.
func TestSpecProductIsPlatformFieldsTheOtherWayRound(t *testing.T) {
	yes, no := true, false
	one, ten, forty := int64(1), int64(10), int64(40)
	full := v1alpha1.FeedProduct{
		Code: "SKU-1", Type: "product", Title: "Lamp", Description: "A lamp", ImageLink: "https://example.com/l.png",
		SellPrice: "19.990", Currency: "EUR", DiscountPrice: "0.1", Quantity: &yes,
		PurchasableQty: &v1alpha1.FeedProductPurchasableQty{Min: &one, Max: &ten},
		Attribute:      &v1alpha1.FeedProductAttribute{Name1: "Size", Options1: "S,M", Name3: "Colour", Options3: "red"},
		ImageAttribute: "Colour", ShopElement: "button",
		AreaElement: &v1alpha1.FeedProductAreaElement{Tooltip: "Buy", Color: "#fff", Opacity: "0.5"},
		ShopButton:  &v1alpha1.FeedProductShopButton{Color: "#000", Label: "Add", LabelColor: "#fff"},
		Website:     &v1alpha1.FeedProductWebsite{Button: &no, ButtonLabel: "See", Link: "https://example.com"},
		CustomizableProduct: &v1alpha1.FeedProductCustomizable{
			Product: &yes, Instructions: "Name", FlatFee: "2", PerCharacter: "0.10", CharacterLength: &forty, Mandatory: &no,
		},
		Variants: []v1alpha1.FeedProductVariant{
			{Code: "SKU-1-S", ImageLink: "https://example.com/s.png", Visible: &no, Price: "9.5", DiscountPrice: "9",
				Attribute: &v1alpha1.FeedVariantAttribute{Options1: "S"}},
		},
	}
	for _, sp := range []v1alpha1.FeedProduct{{Code: "A", Type: "product"}, full} {
		p, err := feedplan.NewProduct(PlatformFields(sp))
		if err != nil {
			t.Fatal(err)
		}
		back, err := SpecProduct(p.Fields)
		if err != nil {
			t.Fatalf("SpecProduct(%s): %v", asJSON(p.Fields), err)
		}
		if got, want := asJSON(PlatformFields(back)), asJSON(PlatformFields(sp)); !jsonEqual([]byte(got), []byte(want)) {
			t.Errorf("round trip:\n got %s\nwant %s", got, want)
		}
	}

	// A count written with a fraction is a number to the platform, but no integer of the spec.
	p, err := feedplan.NewProduct(map[string]json.RawMessage{
		"code": json.RawMessage(`"A"`), "type": json.RawMessage(`"product"`),
		"purchasable_qty": json.RawMessage(`{"min":1.5}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if sp, err := SpecProduct(p.Fields); err == nil {
		t.Errorf("purchasable_qty.min 1.5 became %+v, want an error", sp)
	}
}
