package flipsnack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
)

// MaxSourceHash is the longest sourceHash the platform accepts.
const MaxSourceHash = 64

// Result sums the platform's answers to the requests of one operation.
type Result struct {
	// Requests is the number of requests that succeeded (including delete batches that found
	// nothing left to delete).
	Requests int
	// Items is the number of products or SKUs those requests carried.
	Items int
	// Gone is the number of SKUs in delete batches the platform answered "nothing to delete" for:
	// the feed or those products were already gone, which counts as deleted.
	Gone int
	// Messages holds data.message of every successful request, in order.
	Messages []string
	// Errors holds data.errors of every successful request, in order: for a delete, the SKUs the
	// platform skipped (unknown or variant SKUs).
	Errors []string
	// Skipped holds the SKUs that successful requests did not apply, by their data.errors (see
	// skippedSKUs): they are neither created, updated nor deleted as far as the caller knows.
	Skipped []string
}

func (r *Result) add(resp response, items int) {
	r.Requests++
	r.Items += items
	if resp.Message != "" {
		r.Messages = append(r.Messages, resp.Message)
	}
	r.Errors = append(r.Errors, resp.Errors...)
}

// skippedSKUs says which SKUs of a request a code-20 answer did not apply. products.delete
// documents it: "unknown or variant SKUs are skipped", listed in data.errors; products.create
// and products.update may answer the same way. The wording of an entry is not documented, so
// an entry names a SKU when one of its words (split at spaces and commas, quotes and
// punctuation around it trimmed) is exactly that SKU. An entry that names no SKU of the
// request cannot be attributed: every SKU of the request counts as skipped then, since an
// answer that may mean "not done" is never taken for done.
func skippedSKUs(batch []string, errs []string) []string {
	if len(errs) == 0 {
		return nil
	}
	inBatch := make(map[string]bool, len(batch))
	for _, sku := range batch {
		inBatch[sku] = true
	}
	named := map[string]bool{}
	for _, entry := range errs {
		found := false
		for _, word := range strings.FieldsFunc(entry, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
			for _, w := range []string{word, strings.Trim(word, "\"'`()[]{}<>:;.!?")} {
				if inBatch[w] {
					named[w], found = true, true
				}
			}
		}
		if !found {
			return append([]string(nil), batch...)
		}
	}
	out := make([]string, 0, len(named))
	for _, sku := range batch {
		if named[sku] {
			out = append(out, sku)
		}
	}
	return out
}

// without is list less the SKUs of drop, in order.
func without(list, drop []string) []string {
	if len(drop) == 0 {
		return list
	}
	gone := make(map[string]bool, len(drop))
	for _, s := range drop {
		gone[s] = true
	}
	out := make([]string, 0, len(list))
	for _, s := range list {
		if !gone[s] {
			out = append(out, s)
		}
	}
	return out
}

// CreateProducts adds products to the feed sourceHash, creating the feed with its first products.
// Each product is a JSON object with at least "type" and "code" (the SKU). Requests are sent in
// batches; if a later batch fails, the earlier ones stay created and Result says how many.
//
// A code-40 answer saying the SKUs already exist classifies as apierr.AlreadyExists: on a retried
// create it is most likely our own earlier call.
func (c *Client) CreateProducts(ctx context.Context, sourceHash string, products []json.RawMessage) (Result, error) {
	return c.pushProducts(ctx, ActionCreate, sourceHash, products, true)
}

// UpdateProducts changes products of the feed sourceHash. Each entry is a partial product: its
// "code" and the fields that change. A code-40 answer saying the feed or a product is not found
// classifies as apierr.NotFound.
func (c *Client) UpdateProducts(ctx context.Context, sourceHash string, partial []json.RawMessage) (Result, error) {
	return c.pushProducts(ctx, ActionUpdate, sourceHash, partial, false)
}

func (c *Client) pushProducts(ctx context.Context, action, sourceHash string, products []json.RawMessage, needType bool) (Result, error) {
	var res Result
	if err := checkSourceHash(action, sourceHash); err != nil {
		return res, err
	}
	if err := checkProducts(action, products, needType); err != nil {
		return res, err
	}
	err := c.inBatches(len(products), func(lo, hi int) error {
		text, err := encodeProducts(products[lo:hi])
		if err != nil {
			return inputError(action, "encoding products: %v", err)
		}
		r, err := c.call(ctx, action, map[string]string{"sourceHash": sourceHash, "products": text})
		if err != nil {
			return err
		}
		res.add(r, hi-lo)
		codes := make([]string, 0, hi-lo)
		for _, p := range products[lo:hi] {
			var fields map[string]json.RawMessage
			_ = json.Unmarshal(p, &fields)
			codes = append(codes, textOf(fields["code"]))
		}
		res.Skipped = append(res.Skipped, skippedSKUs(codes, r.Errors)...)
		return nil
	})
	return res, err
}

// DeleteProducts removes the products with the given SKUs from the feed sourceHash; the platform
// removes the feed itself with its last product. After every batch that succeeded, onBatch (if not
// nil) receives the SKUs of that batch the platform did not skip (Result.Skipped has those), so the caller can record progress and a restart can resume
// with the rest; an error from onBatch stops the operation and is returned.
//
// A batch the platform answers "nothing to delete" for (the feed or the SKUs are already gone)
// counts as deleted: it is reported to onBatch and in Result.Gone, and is not an error.
func (c *Client) DeleteProducts(ctx context.Context, sourceHash string, skus []string, onBatch func(deleted []string) error) (Result, error) {
	var res Result
	if err := checkSourceHash(ActionDelete, sourceHash); err != nil {
		return res, err
	}
	list, err := cleanSKUs(skus)
	if err != nil {
		return res, err
	}
	err = c.inBatches(len(list), func(lo, hi int) error {
		batch := list[lo:hi]
		r, err := c.call(ctx, ActionDelete, map[string]string{"sourceHash": sourceHash, "productsSKU": strings.Join(batch, ",")})
		switch {
		case apierr.Is(err, apierr.NotFound):
			res.Requests++
			res.Items += len(batch)
			res.Gone += len(batch)
		case err != nil:
			return err
		default:
			res.add(r, len(batch))
			skipped := skippedSKUs(batch, r.Errors)
			res.Skipped = append(res.Skipped, skipped...)
			batch = without(batch, skipped)
		}
		if onBatch != nil {
			if err := onBatch(append([]string(nil), batch...)); err != nil {
				return fmt.Errorf("recording deleted SKUs: %w", err)
			}
		}
		return nil
	})
	return res, err
}

func checkSourceHash(action, sourceHash string) error {
	if sourceHash == "" || len(sourceHash) > MaxSourceHash {
		return inputError(action, "sourceHash must be 1 to %d characters, got %d", MaxSourceHash, len(sourceHash))
	}
	return nil
}

// checkProducts refuses what the platform could only reject: entries that are not JSON objects,
// without a code (or, for a create, a type), and SKUs repeated within one operation (batches
// would hide the repetition from the platform's own check).
func checkProducts(action string, products []json.RawMessage, needType bool) error {
	seen := make(map[string]int, len(products))
	for i, p := range products {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(p, &fields); err != nil || fields == nil {
			return inputError(action, "product %d is not a JSON object", i)
		}
		code := textOf(fields["code"])
		if code == "" {
			return inputError(action, "product %d has no code (SKU)", i)
		}
		if needType && textOf(fields["type"]) == "" {
			return inputError(action, "product %d (%s) has no type", i, code)
		}
		if j, dup := seen[code]; dup {
			return inputError(action, "SKU %s appears twice (products %d and %d)", code, j, i)
		}
		seen[code] = i
	}
	return nil
}

// cleanSKUs drops empty SKUs and exact repeats (a repeat is harmless to us but the platform
// rejects a request with duplicate SKUs), and refuses a comma, which the comma-separated
// productsSKU parameter cannot carry. It never trims or otherwise rewrites a SKU: the SKU sent
// must be byte for byte the one pushed and recorded, or the delete would name another product
// and the caller's record of what is left would never shrink.
func cleanSKUs(skus []string) ([]string, error) {
	seen := make(map[string]bool, len(skus))
	list := make([]string, 0, len(skus))
	for _, s := range skus {
		if s == "" || seen[s] {
			continue
		}
		if strings.Contains(s, ",") {
			return nil, inputError(ActionDelete, "SKU %q contains a comma and cannot be deleted through productsSKU", s)
		}
		seen[s] = true
		list = append(list, s)
	}
	return list, nil
}

// encodeProducts renders the products parameter: a compact JSON array, with no HTML escaping so
// that the text on the wire is the caller's content.
func encodeProducts(products []json.RawMessage) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(products); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}
