package v1alpha1_test

import (
	"context"
	"strings"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// The feed's products follow the platform's documented product object: each field with its
// documented JSON type, amounts as decimal strings that the operator sends as numbers.

// feedWithProduct is a feed whose one product has the given YAML flow fields.
func feedWithProduct(name, fields string) string {
	return "apiVersion: prodlife.dev/v1alpha1\nkind: FlipsnackFeed\nmetadata: {name: " + name + "}\n" +
		"spec:\n  credentialsSecretRef: {name: flipsnack-credentials}\n  products:\n  - {code: SKU-1, type: product, " + fields + "}\n"
}

func TestFeedProductAcceptsEveryDocumentedField(t *testing.T) {
	ns := newNamespace(t)
	every := `title: Shirt, description: Linen, imageLink: "https://example.com/i.jpg", sellPrice: "19.99",
    currency: EUR, discountPrice: "14.99", quantity: true, purchasableQty: {min: 1, max: 5},
    attribute: {name1: Size, options1: "S,M", name2: Colour, options2: "red,blue", name3: Fit, options3: slim},
    imageAttribute: Colour, shopElement: pin, areaElement: {tooltip: Shirt, color: "#fff", opacity: "0.5"},
    shopButton: {color: "#000", label: Add, labelColor: "#fff"},
    website: {button: true, buttonLabel: Buy, link: "https://example.com/p"},
    customizableProduct: {product: true, instructions: Name, flatFee: "3.00", perCharacter: "0.10", characterLength: 12, mandatory: false},
    variants: [{code: SKU-1-M, imageLink: "https://example.com/m.jpg", visible: true, attribute: {options1: M, options2: red, options3: slim}, price: "21.50", discountPrice: "18.00"}]`
	if err := k8s.Create(context.Background(), object(t, ns, feedWithProduct("every", every))); err != nil {
		t.Fatalf("a product with every documented field rejected: %v", err)
	}
}

func TestFeedProductRefusesWhatTheSchemaDoesNot(t *testing.T) {
	ns := newNamespace(t)
	cases := []struct{ name, fields, wantErr string }{
		// quantity is a boolean on the platform, not a stock count.
		{"quantity a count", "quantity: 120", `spec.products[0].quantity: Invalid value: "integer"`},
		{"sellPrice a number, not a decimal string", "sellPrice: 19.99", "spec.products[0].sellPrice: Invalid value"},
		{"opacity not a decimal", "areaElement: {opacity: half}", "spec.products[0].areaElement.opacity: Invalid value"},
		{"flatFee not a decimal", "customizableProduct: {flatFee: free}", "spec.products[0].customizableProduct.flatFee: Invalid value"},
		{"purchasableQty negative", "purchasableQty: {min: -1}", "spec.products[0].purchasableQty.min: Invalid value"},
		{"variant price not a decimal", "variants: [{code: V1, price: lots}]", "spec.products[0].variants[0].price: Invalid value"},
		{"variant visible not a boolean", "variants: [{code: V1, visible: maybe}]", "spec.products[0].variants[0].visible: Invalid value"},
		// Fields the platform's variant does not have.
		{"variant title", "variants: [{code: V1, title: Red}]", `unknown field "spec.products[0].variants[0].title"`},
		{"variant sellPrice", "variants: [{code: V1, sellPrice: \"1.00\"}]", `unknown field "spec.products[0].variants[0].sellPrice"`},
		{"variant parentCode", "variants: [{code: V1, parentCode: SKU-2}]", `unknown field "spec.products[0].variants[0].parentCode"`},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obj := object(t, ns, feedWithProduct("bad-"+strings.Repeat("x", i+1), tc.fields))
			// Strict, as kubectl sends it: an unknown field is refused rather than dropped.
			err := k8s.Create(context.Background(), obj, client.FieldValidation("Strict"))
			if err == nil {
				t.Fatalf("accepted; want rejection containing %q", tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("rejected with\n  %v\nwant a message containing\n  %q", err, tc.wantErr)
			}
		})
	}
}

// An adopted sourceHash is any of 1 to 64 characters: the platform's pages say "a 64-character
// identifier" in one version and "a maximum 64-character identifier" in another.
func TestFeedSourceHashOfOneToSixtyFourCharacters(t *testing.T) {
	ns := newNamespace(t)
	for _, hash := range []string{"a", strings.Repeat("h", 36), strings.Repeat("h", 64)} {
		m := "apiVersion: prodlife.dev/v1alpha1\nkind: FlipsnackFeed\nmetadata: {name: hash-" + string(rune('a'+len(hash)%26)) + "}\n" +
			"spec:\n  sourceHash: " + hash + "\n  credentialsSecretRef: {name: flipsnack-credentials}\n"
		if err := k8s.Create(context.Background(), object(t, ns, m)); err != nil {
			t.Errorf("sourceHash of %d characters rejected: %v", len(hash), err)
		}
	}
}
