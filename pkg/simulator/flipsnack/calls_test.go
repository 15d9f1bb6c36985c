package flipsnack

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// The call log keeps, in full, the SKUs each batch carried, and filters by action: a test can
// assert exactly which SKUs each products.delete deleted, however long the batch.
func TestTheCallLogKeepsEverySKUOfEachBatch(t *testing.T) {
	s := newUnlimited(Options{})
	var products, skus []string
	for i := range 300 {
		sku := fmt.Sprintf("SKU-%03d-with-a-long-code-to-pass-any-truncation", i)
		skus = append(skus, sku)
		products = append(products, fmt.Sprintf(`{"type":"product","code":%q}`, sku))
	}
	if a := postForm(t, s, signed(ActionProductsCreate, map[string]string{"sourceHash": "src", "products": "[" + strings.Join(products, ",") + "]"})); a.Code != CodeOK {
		t.Fatalf("products.create: %+v", a)
	}
	if a := postForm(t, s, signed(ActionProductsDelete, map[string]string{"sourceHash": "src", "productsSKU": strings.Join(skus[:250], ",")})); a.Code != CodeOK {
		t.Fatalf("products.delete: %+v", a)
	}
	creates, deletes := s.CallsFor(ActionProductsCreate), s.CallsFor(ActionProductsDelete)
	if len(creates) != 1 || !slices.Equal(creates[0].SKUs, skus) {
		t.Errorf("products.create logged %d calls, the first with %d SKUs; want one with all 300", len(creates), len(creates[0].SKUs))
	}
	if len(deletes) != 1 || !slices.Equal(deletes[0].SKUs, skus[:250]) {
		t.Errorf("products.delete logged %+v; want one call with the 250 SKUs sent", deletes)
	}
	if all := s.CallsFor(""); len(all) != 2 {
		t.Errorf("CallsFor(\"\") returned %d calls, want both", len(all))
	}
}
