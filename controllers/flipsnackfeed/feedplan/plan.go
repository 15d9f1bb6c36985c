package feedplan

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

	"github.com/prodlife/product-lifecycle-operator/internal/flipsnack"
)

// The limits of one product, the numbers api/v1alpha1 gives the CRD and its documentation
// (a test of the feed adapter holds them equal).
const (
	// MaxProductFields is the most fields one product may have.
	MaxProductFields = 64
	// MaxSKULength is the longest SKU (code), in characters.
	MaxSKULength = 128
)

// Batch is the most products or SKUs one call carries: the platform's limit. The adapter
// cuts the batches itself (Chunks) so that every call is followed by a write of the record.
const Batch = flipsnack.DefaultMaxBatch

// ProjectedRecord is rec with every desired product as it will be recorded once pushed.
func ProjectedRecord(rec Record, desired []Product) Record {
	out := make(Record, len(rec)+len(desired))
	for sku, fields := range rec {
		out[sku] = fields
	}
	for _, p := range desired {
		out[p.SKU] = p.Hashes
	}
	return out
}

// Product is one desired product: its SKU, its fields in canonical JSON, and a hash of
// each field but the code.
type Product struct {
	SKU    string
	Fields map[string]json.RawMessage
	Hashes map[string]string
}

// fieldName is what a platform field is called: letters, digits and underscores
// ("sell_price", "image_link"). It also keeps the record's separators out of field names.
var fieldName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// NewProduct checks one product's fields and puts them in canonical form. Its errors say
// what is wrong with the product; the caller adds where it comes from.
func NewProduct(fields map[string]json.RawMessage) (Product, error) {
	var sku string
	if err := json.Unmarshal(fields["code"], &sku); err != nil || sku == "" {
		return Product{}, errors.New(`it has no "code" (its SKU) as a string`)
	}
	if problem := SKUProblem(sku); problem != "" {
		return Product{}, fmt.Errorf("SKU %q is refused: %s", sku, problem)
	}
	if len(fields) > MaxProductFields {
		return Product{}, fmt.Errorf("product %q has %d fields, more than the %d a product may have", sku, len(fields), MaxProductFields)
	}
	if err := checkVariantSKUs(fields["variants"]); err != nil {
		return Product{}, fmt.Errorf("product %q: %w", sku, err)
	}
	for k := range fields {
		if !fieldName.MatchString(k) {
			return Product{}, fmt.Errorf("product %q has a field named %q, which is not a field of the platform", sku, k)
		}
	}
	// The documented names and JSON types, numbers as sent (see flipsnack.NormalizeProduct).
	fields, err := flipsnack.NormalizeProduct(fields)
	if err != nil {
		return Product{}, fmt.Errorf("product %q does not follow the platform's product schema: %v", sku, err)
	}
	p := Product{SKU: sku, Fields: map[string]json.RawMessage{}, Hashes: map[string]string{}}
	for k, raw := range fields {
		// Canonical form: decoded and encoded again, so key order and spacing do not count
		// as a change. Numbers are decoded as json.Number: their digits are kept as written,
		// never rounded through float64.
		var v any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return Product{}, fmt.Errorf("product %q, field %s: %v", sku, k, err)
		}
		canon, err := json.Marshal(v)
		if err != nil {
			return Product{}, fmt.Errorf("product %q, field %s: %v", sku, k, err)
		}
		p.Fields[k] = canon
		if k != "code" {
			p.Hashes[k] = fieldHash(canon)
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
		if problem := SKUProblem(code); problem != "" {
			return fmt.Errorf("variant %d: SKU %q is refused: %s", i, code, problem)
		}
	}
	return nil
}

func (p Product) Full() json.RawMessage {
	b, _ := json.Marshal(p.Fields)
	return b
}

// fieldHash is 32 bits of SHA-256: enough to tell a changed field from an unchanged one,
// small enough for a record of 20,000 products.
func fieldHash(canon []byte) string {
	sum := sha256.Sum256(canon)
	return hex.EncodeToString(sum[:4])
}

type ProductUpdate struct {
	Product Product
	Partial json.RawMessage
}

// Plan is the difference between the desired products and the pushed record.
type Plan struct {
	Create []Product
	Update []ProductUpdate
	Delete []string
}

func PlanPush(desired []Product, rec Record) *Plan {
	plan := &Plan{}
	want := make(map[string]bool, len(desired))
	for _, p := range desired {
		want[p.SKU] = true
		old, pushed := rec[p.SKU]
		if !pushed || InFlight(old) {
			plan.Create = append(plan.Create, p)
			continue
		}
		changed := map[string]json.RawMessage{}
		for k, h := range p.Hashes {
			if old[k] != h {
				changed[k] = p.Fields[k]
			}
		}
		for k := range old {
			if _, still := p.Hashes[k]; !still {
				// A field that is no longer set is cleared on the platform.
				changed[k] = json.RawMessage("null")
			}
		}
		if len(changed) == 0 {
			continue
		}
		changed["code"] = p.Fields["code"]
		b, _ := json.Marshal(changed)
		plan.Update = append(plan.Update, ProductUpdate{Product: p, Partial: b})
	}
	for _, sku := range rec.SKUs() {
		if !want[sku] {
			plan.Delete = append(plan.Delete, sku)
		}
	}
	return plan
}

func (p *Plan) Empty() bool {
	return len(p.Create) == 0 && len(p.Update) == 0 && len(p.Delete) == 0
}

func (p *Plan) String() string {
	if p.Empty() {
		return "nothing to push"
	}
	return fmt.Sprintf("%d to create, %d to update, %d to delete", len(p.Create), len(p.Update), len(p.Delete))
}

func Chunks[E any](items []E) [][]E {
	var out [][]E
	for len(items) > 0 {
		n := min(len(items), Batch)
		out = append(out, items[:n])
		items = items[n:]
	}
	return out
}

// DeletionProgress is status.DeletionProgress: deleted of all, "1,500/10,000".
func DeletionProgress(deleted, left int64) string {
	return Thousands(deleted) + "/" + Thousands(deleted+left)
}

// Thousands writes n with comma separators: 10000 as "10,000".
func Thousands(n int64) string {
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

// SortedKeys returns the keys of m in order.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
