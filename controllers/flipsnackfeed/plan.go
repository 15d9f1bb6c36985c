package flipsnackfeed

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/internal/flipsnack"
)

// Planning a feed's push, with no I/O: the desired products in the platform's field names
// and types, a hash of each field, and the difference from the record of what was pushed.
// adapter.go calls the platform with the plan.

// projectedRecord is rec with every desired product as it will be recorded once pushed.
func projectedRecord(rec pushedRecord, desired []feedProduct) pushedRecord {
	out := make(pushedRecord, len(rec)+len(desired))
	for sku, fields := range rec {
		out[sku] = fields
	}
	for _, p := range desired {
		out[p.sku] = p.hashes
	}
	return out
}

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

// feedProduct is one desired product: its SKU, its fields in canonical JSON, and a hash of
// each field but the code.
type feedProduct struct {
	sku    string
	fields map[string]json.RawMessage
	hashes map[string]string
}

// fieldName is what a platform field is called: letters, digits and underscores
// ("sell_price", "image_link"). It also keeps the record's separators out of field names.
var fieldName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// newFeedProduct checks one product's fields and puts them in canonical form. Its errors say
// what is wrong with the product; the caller adds where it comes from.
func newFeedProduct(fields map[string]json.RawMessage) (feedProduct, error) {
	var sku string
	if err := json.Unmarshal(fields["code"], &sku); err != nil || sku == "" {
		return feedProduct{}, errors.New(`it has no "code" (its SKU) as a string`)
	}
	if problem := skuProblem(sku); problem != "" {
		return feedProduct{}, fmt.Errorf("SKU %q is refused: %s", sku, problem)
	}
	if len(fields) > v1alpha1.MaxProductFields {
		return feedProduct{}, fmt.Errorf("product %q has %d fields, more than the %d a product may have", sku, len(fields), v1alpha1.MaxProductFields)
	}
	if err := checkVariantSKUs(fields["variants"]); err != nil {
		return feedProduct{}, fmt.Errorf("product %q: %w", sku, err)
	}
	for k := range fields {
		if !fieldName.MatchString(k) {
			return feedProduct{}, fmt.Errorf("product %q has a field named %q, which is not a field of the platform", sku, k)
		}
	}
	// The documented names and JSON types, numbers as sent (see flipsnack.NormalizeProduct).
	fields, err := flipsnack.NormalizeProduct(fields)
	if err != nil {
		return feedProduct{}, fmt.Errorf("product %q does not follow the platform's product schema: %v", sku, err)
	}
	p := feedProduct{sku: sku, fields: map[string]json.RawMessage{}, hashes: map[string]string{}}
	for k, raw := range fields {
		// Canonical form: decoded and encoded again, so key order and spacing do not count
		// as a change. Numbers are decoded as json.Number: their digits are kept as written,
		// never rounded through float64.
		var v any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return feedProduct{}, fmt.Errorf("product %q, field %s: %v", sku, k, err)
		}
		canon, err := json.Marshal(v)
		if err != nil {
			return feedProduct{}, fmt.Errorf("product %q, field %s: %v", sku, k, err)
		}
		p.fields[k] = canon
		if k != "code" {
			p.hashes[k] = fieldHash(canon)
		}
	}
	return p, nil
}

// checkVariantSKUs holds a product's variants to the rules of SKUs: each variant has its own
// SKU on the platform.
func checkVariantSKUs(raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var variants []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &variants); err != nil {
		return errors.New(`"variants" is not a JSON array of objects`)
	}
	for i, v := range variants {
		var code string
		if err := json.Unmarshal(v["code"], &code); err != nil || code == "" {
			return fmt.Errorf(`variant %d has no "code" (its SKU) as a string`, i)
		}
		if problem := skuProblem(code); problem != "" {
			return fmt.Errorf("variant %d: SKU %q is refused: %s", i, code, problem)
		}
	}
	return nil
}

func (p feedProduct) full() json.RawMessage {
	b, _ := json.Marshal(p.fields)
	return b
}

// fieldHash is 32 bits of SHA-256: enough to tell a changed field from an unchanged one,
// small enough for a record of 20,000 products.
func fieldHash(canon []byte) string {
	sum := sha256.Sum256(canon)
	return hex.EncodeToString(sum[:4])
}

type feedUpdate struct {
	product feedProduct
	partial json.RawMessage
}

// feedPlan is the difference between the desired products and the pushed record.
type feedPlan struct {
	create []feedProduct
	update []feedUpdate
	delete []string
}

func planPush(desired []feedProduct, rec pushedRecord) *feedPlan {
	plan := &feedPlan{}
	want := make(map[string]bool, len(desired))
	for _, p := range desired {
		want[p.sku] = true
		old, pushed := rec[p.sku]
		if !pushed || inFlight(old) {
			plan.create = append(plan.create, p)
			continue
		}
		changed := map[string]json.RawMessage{}
		for k, h := range p.hashes {
			if old[k] != h {
				changed[k] = p.fields[k]
			}
		}
		for k := range old {
			if _, still := p.hashes[k]; !still {
				// A field that is no longer set is cleared on the platform.
				changed[k] = json.RawMessage("null")
			}
		}
		if len(changed) == 0 {
			continue
		}
		changed["code"] = p.fields["code"]
		b, _ := json.Marshal(changed)
		plan.update = append(plan.update, feedUpdate{product: p, partial: b})
	}
	for _, sku := range rec.skus() {
		if !want[sku] {
			plan.delete = append(plan.delete, sku)
		}
	}
	return plan
}

func (p *feedPlan) empty() bool {
	return len(p.create) == 0 && len(p.update) == 0 && len(p.delete) == 0
}

func (p *feedPlan) String() string {
	if p.empty() {
		return "nothing to push"
	}
	return fmt.Sprintf("%d to create, %d to update, %d to delete", len(p.create), len(p.update), len(p.delete))
}

func chunks[E any](items []E) [][]E {
	var out [][]E
	for len(items) > 0 {
		n := min(len(items), feedBatch)
		out = append(out, items[:n])
		items = items[n:]
	}
	return out
}

// deletionProgress is status.deletionProgress: deleted of all, "1,500/10,000".
func deletionProgress(deleted, left int64) string {
	return thousands(deleted) + "/" + thousands(deleted+left)
}

// thousands writes n with comma separators: 10000 as "10,000".
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
