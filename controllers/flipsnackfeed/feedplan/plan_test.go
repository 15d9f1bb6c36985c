package feedplan

import (
	"encoding/json"
	"slices"
	"testing"
)

// product builds a desired product from its platform fields, as the adapter does.
func product(t *testing.T, fields string) Product {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(fields), &m); err != nil {
		t.Fatal(err)
	}
	p, err := NewProduct(m)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// recordOf is the record of products pushed exactly as given.
func recordOf(ps ...Product) Record {
	rec := Record{}
	for _, p := range ps {
		rec[p.SKU] = p.Hashes
	}
	return rec
}

func TestPlanPushSendsOnlyTheDifference(t *testing.T) {
	a := product(t, `{"code":"A","type":"product","title":"Lamp","sell_price":19.99}`)
	aRetitled := product(t, `{"code":"A","type":"product","title":"Desk lamp","sell_price":19.99}`)
	aNoPrice := product(t, `{"code":"A","type":"product","title":"Lamp"}`)
	b := product(t, `{"code":"B","type":"product","title":"Chair"}`)
	aSpaced := product(t, `{ "sell_price" : 19.99, "title":"Lamp", "type":"product", "code":"A" }`)

	for _, tc := range []struct {
		name    string
		desired []Product
		rec     Record
		create  []string
		update  map[string]string // SKU: partial products.update body
		delete  []string
	}{
		{name: "nothing desired, nothing pushed"},
		{name: "new products are created", desired: []Product{a, b}, create: []string{"A", "B"}},
		{name: "pushed as desired: nothing to do", desired: []Product{a, b}, rec: recordOf(a, b)},
		{name: "key order and spacing are no change", desired: []Product{aSpaced}, rec: recordOf(a)},
		{
			name: "a changed field is sent alone, with the code", desired: []Product{aRetitled}, rec: recordOf(a),
			update: map[string]string{"A": `{"code":"A","title":"Desk lamp"}`},
		},
		{
			name: "a field no longer set is cleared", desired: []Product{aNoPrice}, rec: recordOf(a),
			update: map[string]string{"A": `{"code":"A","sell_price":null}`},
		},
		{name: "a product no longer desired is deleted", desired: []Product{a}, rec: recordOf(a, b), delete: []string{"B"}},
		{name: "every pushed product goes when none is desired", rec: recordOf(b, a), delete: []string{"A", "B"}},
		{
			name: "a SKU in flight is created again", desired: []Product{a, b},
			rec: Record{"A": InFlightFields(), "B": b.Hashes}, create: []string{"A"},
		},
		{name: "a SKU in flight and no longer desired is deleted", rec: Record{"A": InFlightFields()}, delete: []string{"A"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := tc.rec
			if rec == nil {
				rec = Record{}
			}
			plan := PlanPush(tc.desired, rec)
			var create []string
			for _, p := range plan.Create {
				create = append(create, p.SKU)
			}
			if !slices.Equal(create, tc.create) {
				t.Errorf("create %v, want %v", create, tc.create)
			}
			update := map[string]string{}
			for _, u := range plan.Update {
				update[u.Product.SKU] = string(u.Partial)
			}
			if len(update) != len(tc.update) {
				t.Errorf("update %v, want %v", update, tc.update)
			}
			for sku, want := range tc.update {
				if update[sku] != want {
					t.Errorf("update of %s: %s, want %s", sku, update[sku], want)
				}
			}
			if !slices.Equal(plan.Delete, tc.delete) {
				t.Errorf("delete %v, want %v", plan.Delete, tc.delete)
			}
			wantEmpty := len(tc.create)+len(tc.update)+len(tc.delete) == 0
			if plan.Empty() != wantEmpty {
				t.Errorf("empty() = %v, want %v (%s)", plan.Empty(), wantEmpty, plan)
			}
		})
	}
}
