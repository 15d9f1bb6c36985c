package feedplan

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strings"
)

// Bounds of the record. status.pushed is read from the object, which anyone allowed to write
// a feed's status can forge; a small gzip stream can decompress to gigabytes, so reading it
// is bounded, and the operator never writes a record it would refuse to read.
const (
	// MaxRecordBytes is the most status.pushed may take, compressed: 1 MiB once base64 in
	// JSON, which leaves room under the API server's object size limit (about 1.5 MiB) for
	// the rest of the object. 10,000 products take about 350 KB.
	MaxRecordBytes = 768 << 10
	// maxRecordText is the most a record may take decompressed; a record of 10,000 products
	// with 128-character SKUs and a dozen fields takes under 4 MiB.
	maxRecordText = 8 << 20
	// maxRecordSKUs is the most SKUs a record may hold. A feed holds at most MaxFeedProducts,
	// twice that while its products are replaced (new ones are created before old ones are
	// deleted); the rest is room for records written before that limit existed, whose SKUs
	// must still be deleted: 50,000 is more than a status of about 1.5 MiB could hold.
	maxRecordSKUs = 50000
	// maxRecordFields is the most fields a SKU of a record may have. Products have at most
	// MaxProductFields; the rest is room for records written before that limit existed.
	maxRecordFields = 4 * MaxProductFields
)

// Record is what the platform has from a feed, as far as the operator knows: every
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
type Record map[string]map[string]string

func (r Record) SKUs() []string { return SortedKeys(r) }

// inFlightField marks a SKU whose products.create was sent but not yet confirmed: it may or may
// not be on the platform, so it is pushed again (create, or update if it exists) and deleted
// with the feed. It cannot clash with a product field, whose names start with a letter.
const inFlightField = "*"

func InFlightFields() map[string]string { return map[string]string{inFlightField: ""} }

func InFlight(fields map[string]string) bool {
	_, ok := fields[inFlightField]
	return ok
}

// Confirmed counts the SKUs known to be on the platform.
func (r Record) Confirmed() int {
	n := 0
	for _, fields := range r {
		if !InFlight(fields) {
			n++
		}
	}
	return n
}

func (r Record) Encode() ([]byte, error) {
	if len(r) == 0 {
		return nil, nil
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	w := bufio.NewWriter(zw)
	for _, sku := range r.SKUs() {
		fields := r[sku]
		w.WriteString(sku)
		w.WriteByte('\t')
		for i, k := range SortedKeys(fields) {
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

func DecodeRecord(blob []byte) (Record, error) {
	rec := Record{}
	if len(blob) == 0 {
		return rec, nil
	}
	// The compressed size needs no check of its own: the API server bounds the object.
	zr, err := gzip.NewReader(bytes.NewReader(blob))
	if err != nil {
		return nil, recordError("%v", err)
	}
	data, err := io.ReadAll(io.LimitReader(zr, maxRecordText+1))
	if err != nil {
		return nil, recordError("%v", err)
	}
	if len(data) > maxRecordText {
		return nil, recordError("it decompresses to more than %d bytes, more than any record this operator writes", maxRecordText)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) > maxRecordSKUs {
		return nil, recordError("it holds %d SKUs, more than the %d this operator records", len(lines), maxRecordSKUs)
	}
	for _, line := range lines {
		sku, rest, ok := strings.Cut(line, "\t")
		if !ok || sku == "" {
			return nil, recordError("bad line %q", line)
		}
		fields := map[string]string{}
		if rest != "" {
			kvs := strings.Split(rest, ",")
			if len(kvs) > maxRecordFields {
				return nil, recordError("SKU %q has %d fields, more than a product may have", sku, len(kvs))
			}
			for _, kv := range kvs {
				k, v, _ := strings.Cut(kv, "=")
				fields[k] = v
			}
		}
		rec[sku] = fields
	}
	return rec, nil
}

// RefusedError says the operator refuses a record: one it cannot read, or one status could
// not hold. Only a person can help, so the adapter reports it as a spec the operator refuses
// (Stalled) instead of retrying.
type RefusedError struct{ Message string }

func (e *RefusedError) Error() string { return e.Message }

// recordError says status.pushed cannot be read. Only a person can tell what happened to it,
// so it is terminal: the feed is Stalled with the message instead of retried.
func recordError(format string, args ...any) error {
	return &RefusedError{
		Message: "status.pushed is not a record this operator wrote: " + fmt.Sprintf(format, args...) +
			"; the operator does not push to or delete from this feed while its record is unreadable"}
}

// CheckRecordFits refuses a record that status could not hold, or that decodeRecord would
// refuse to read back, before anything it describes is sent to the platform.
func CheckRecordFits(rec Record) error {
	if len(rec) > maxRecordSKUs {
		return RecordTooLarge(fmt.Sprintf("%d SKUs, more than %d", len(rec), maxRecordSKUs))
	}
	text := 0
	for sku, fields := range rec {
		text += len(sku) + 2
		for k, v := range fields {
			text += len(k) + len(v) + 2
		}
	}
	if text > maxRecordText {
		return RecordTooLarge(fmt.Sprintf("%d bytes decompressed, more than %d", text, maxRecordText))
	}
	blob, err := rec.Encode()
	if err != nil {
		return err
	}
	if len(blob) > MaxRecordBytes {
		return RecordTooLarge(fmt.Sprintf("%d bytes compressed, more than the %d (768 KiB) status.pushed may take", len(blob), MaxRecordBytes))
	}
	return nil
}

func RecordTooLarge(detail string) error {
	return &RefusedError{Message: fmt.Sprintf(
		"the record of this feed's pushed products (status.pushed) would take %s: too large to keep in the object's status; shorten the SKUs or split the catalogue into several feeds", detail)}
}
