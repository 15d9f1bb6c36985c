package flipsnack

import (
	"encoding/json"
	"fmt"
)

// feed is one product source of an account, identified by its client-chosen sourceHash.
type feed struct {
	order    []string                              // SKUs in the order they were created
	products map[string]map[string]json.RawMessage // SKU → fields
}

func (f *feed) add(p product) {
	f.order = append(f.order, p.code)
	f.products[p.code] = p.fields
}

// create adds products to a feed, creating the feed with its first products. It is all or
// nothing: a SKU that is already in the feed rejects the whole request with 40 and lists the
// SKUs ("already exists"), so a client never has to guess which part was applied.
func (s *Server) create(account, sourceHash string, products []product) answer {
	f := s.feeds[account][sourceHash]
	if f != nil {
		var dups []string
		for _, p := range products {
			if _, exists := f.products[p.code]; exists {
				dups = append(dups, fmt.Sprintf("product %s already exists in this source", p.code))
			}
		}
		if len(dups) > 0 {
			return fail(CodeInvalidData, dups...)
		}
	}
	if f == nil {
		f = &feed{products: map[string]map[string]json.RawMessage{}}
		if s.feeds[account] == nil {
			s.feeds[account] = map[string]*feed{}
		}
		s.feeds[account][sourceHash] = f
	}
	for _, p := range products {
		f.add(p)
	}
	return ok(fmt.Sprintf("%d products created successfully", len(products)))
}

// update merges partial products into existing ones: every top-level field sent replaces the
// stored one (null removes it), fields not sent are kept (nested objects such as website are replaced whole; how
// deep the real platform merges is unverified).
//
// Unverified on the real platform, decided here: an unknown sourceHash answers 40
// "Source not found"; a SKU that is not in the feed rejects the whole request with 40
// "Product not found", listing the SKUs. Rejecting rather than skipping tells the caller that
// those products must be created, which a silent skip would hide.
func (s *Server) update(account, sourceHash string, products []product) answer {
	f := s.feeds[account][sourceHash]
	if f == nil {
		return failWith(CodeInvalidData, "Source not found", fmt.Sprintf("source %s not found", sourceHash))
	}
	var missing []string
	for _, p := range products {
		if _, exists := f.products[p.code]; !exists {
			missing = append(missing, fmt.Sprintf("product %s not found in this source", p.code))
		}
	}
	if len(missing) > 0 {
		return failWith(CodeInvalidData, "Product not found", missing...)
	}
	for _, p := range products {
		stored := f.products[p.code]
		for k, v := range p.fields {
			if k == "code" {
				continue // the SKU is the identity; keep it as first sent
			}
			if string(v) == "null" {
				// Unverified on the real platform, decided here: null clears the field.
				delete(stored, k)
				continue
			}
			stored[k] = v
		}
	}
	return ok(fmt.Sprintf("%d products updated successfully", len(products)))
}

// remove deletes products by SKU, as the products.delete page documents: it succeeds if at least
// one SKU is a product of the feed, skips unknown and variant SKUs (listed in data.errors), and
// removes the feed with its last product.
//
// Unverified on the real platform, decided here: a feed that does not exist answers 40
// "Source not found", and a request none of whose SKUs is a product of the feed answers 40
// "No products found". The client reads both as "already deleted".
func (s *Server) remove(account, sourceHash string, skus []string) answer {
	f := s.feeds[account][sourceHash]
	if f == nil {
		return failWith(CodeInvalidData, "Source not found", fmt.Sprintf("source %s not found", sourceHash))
	}
	var skipped []string
	gone := map[string]bool{}
	for _, sku := range skus {
		if _, exists := f.products[sku]; exists {
			gone[sku] = true
			delete(f.products, sku)
		} else {
			skipped = append(skipped, fmt.Sprintf("SKU %s is not a product of this source and was skipped", sku))
		}
	}
	if len(gone) == 0 {
		return failWith(CodeInvalidData, "No products found", skipped...)
	}
	kept := f.order[:0]
	for _, sku := range f.order {
		if !gone[sku] {
			kept = append(kept, sku)
		}
	}
	f.order = kept
	if len(f.products) == 0 {
		delete(s.feeds[account], sourceHash)
		if len(s.feeds[account]) == 0 {
			delete(s.feeds, account)
		}
	}
	return ok("Products deleted successfully", skipped...)
}
