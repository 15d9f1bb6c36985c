package controllers

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strings"
)

// pushedRecord is what the platform has from a feed, as far as the operator knows: every
// pushed SKU with a 32-bit hash of each of its fields. The platform cannot be read back, so
// this record is the only way to send just the difference (and, for a changed product, just
// the changed fields) and to delete every pushed SKU later.
//
// It lives in status.pushed, gzip-compressed lines of "sku<TAB>field=hash,field=hash".
// Why not a list of {sku, hash} objects: a feed may hold 20,000 SKUs, and an object must stay
// well under etcd's 1.5 MiB; as JSON objects the record of 20,000 products would be several
// MiB, while the compressed lines take about 35 bytes per product (field names repeat and
// compress away; the hashes do not). Per-field hashes rather than one hash per product are
// what make a partial products.update possible without keeping the products themselves.
type pushedRecord map[string]map[string]string

func (r pushedRecord) skus() []string { return sortedKeys(r) }

// inFlightField marks a SKU whose products.create was sent but not yet confirmed: it may or may
// not be on the platform, so it is pushed again (create, or update if it exists) and deleted
// with the feed. It cannot clash with a product field, whose names start with a letter.
const inFlightField = "*"

func inFlightFields() map[string]string { return map[string]string{inFlightField: ""} }

func inFlight(fields map[string]string) bool {
	_, ok := fields[inFlightField]
	return ok
}

// confirmed counts the SKUs known to be on the platform.
func (r pushedRecord) confirmed() int {
	n := 0
	for _, fields := range r {
		if !inFlight(fields) {
			n++
		}
	}
	return n
}

func (r pushedRecord) encode() ([]byte, error) {
	if len(r) == 0 {
		return nil, nil
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	w := bufio.NewWriter(zw)
	for _, sku := range r.skus() {
		fields := r[sku]
		w.WriteString(sku)
		w.WriteByte('\t')
		for i, k := range sortedKeys(fields) {
			if i > 0 {
				w.WriteByte(',')
			}
			w.WriteString(k)
			w.WriteByte('=')
			w.WriteString(fields[k])
		}
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decodeRecord(blob []byte) (pushedRecord, error) {
	rec := pushedRecord{}
	if len(blob) == 0 {
		return rec, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(blob))
	if err != nil {
		return nil, fmt.Errorf("status.pushed is not a record this operator wrote: %w", err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("status.pushed is not a record this operator wrote: %w", err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		sku, rest, ok := strings.Cut(line, "\t")
		if !ok || sku == "" {
			return nil, fmt.Errorf("status.pushed is not a record this operator wrote: bad line %q", line)
		}
		fields := map[string]string{}
		if rest != "" {
			for _, kv := range strings.Split(rest, ",") {
				k, v, _ := strings.Cut(kv, "=")
				fields[k] = v
			}
		}
		rec[sku] = fields
	}
	return rec, nil
}
