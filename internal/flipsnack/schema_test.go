package flipsnack

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestNormalizeProductSendsTheDocumentedTypes(t *testing.T) {
	in := map[string]json.RawMessage{
		"type": json.RawMessage(`"product"`), "code": json.RawMessage(`"P1"`),
		"sell_price":     json.RawMessage(`"19.99"`), // a decimal string becomes that number
		"discount_price": json.RawMessage(`0.10000000000000000555`),
		"quantity":       json.RawMessage(`true`),
		"title":          json.RawMessage(`null`), // not set
		"variants":       json.RawMessage(`[{"code":"P1-M","price":"21.50"}]`),
	}
	out, err := NormalizeProduct(in)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"sell_price": `19.99`, "discount_price": `0.10000000000000000555`, "quantity": `true`,
		"variants": `[{"code":"P1-M","parent_code":"P1","price":21.50}]`,
	}
	for k, v := range want {
		if string(out[k]) != v {
			t.Errorf("%s = %s, want %s", k, out[k], v)
		}
	}
	if _, has := out["title"]; has {
		t.Error("a null title is sent; want it left out")
	}
}

func TestNormalizeProductListsEveryProblem(t *testing.T) {
	_, err := NormalizeProduct(map[string]json.RawMessage{
		"code": json.RawMessage(`7`), "quantity": json.RawMessage(`120`), "colour": json.RawMessage(`"red"`),
		"sell_price": json.RawMessage(`"cheap"`), "website": json.RawMessage(`{"button":"yes","target":"_blank"}`),
		"variants": json.RawMessage(`[{"code":"V","title":"Red","sell_price":"1.00"}]`),
	})
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{
		"code: want a string", "type: required", "quantity: want a boolean", "colour: not a field",
		"sell_price: want a number", "website.button: want a boolean", "website.target: not a field",
		"variants[0].title: not a field", "variants[0].sell_price: not a field",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestSkippedSKUsAreTheOnesDataErrorsName(t *testing.T) {
	batch := []string{"A1", "A10", "B.2", "C"}
	for _, tc := range []struct {
		errs []string
		want string
	}{
		{nil, ""},
		{[]string{"SKU A10 is not a product of this source and was skipped"}, "A10"},
		{[]string{`product "B.2" skipped.`, "C: variant SKU"}, "B.2,C"},
		// An entry that names no SKU of the request: none of them counts as done.
		{[]string{"some products were skipped"}, "A1,A10,B.2,C"},
	} {
		if got := strings.Join(skippedSKUs(batch, tc.errs), ","); got != tc.want {
			t.Errorf("errors %q: skipped %q, want %q", tc.errs, got, tc.want)
		}
	}
}

func TestScalarKindTypesEveryDocumentedLeaf(t *testing.T) {
	for _, tc := range []struct {
		path []string
		kind string
		ok   bool
	}{
		{[]string{"code"}, "string", true},
		{[]string{"sell_price"}, "number", true},
		{[]string{"quantity"}, "boolean", true},
		{[]string{"purchasable_qty", "min"}, "number", true},
		{[]string{"website", "button"}, "boolean", true},
		{[]string{"variants", "visible"}, "boolean", true},
		{[]string{"variants", "attribute", "options2"}, "string", true},
		{[]string{"attribute"}, "", false},
		{[]string{"variants"}, "", false},
		{[]string{"colour"}, "", false},
		{[]string{"attribute", "name4"}, "", false},
		{[]string{"code", "x"}, "", false},
	} {
		if kind, ok := ScalarKind(tc.path...); kind != tc.kind || ok != tc.ok {
			t.Errorf("ScalarKind(%v) = %q, %v; want %q, %v", tc.path, kind, ok, tc.kind, tc.ok)
		}
	}
}
