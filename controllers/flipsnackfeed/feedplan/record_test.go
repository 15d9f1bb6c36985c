package feedplan

import (
	"bytes"
	"compress/gzip"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func gzipped(t *testing.T, text string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(text)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestPushedRecordEncodingRoundTrips(t *testing.T) {
	for _, tc := range []struct {
		name string
		rec  Record
		text string // the decompressed lines encode writes
	}{
		{name: "empty", rec: Record{}},
		{name: "one SKU", rec: Record{"A": {"title": "0a1b2c3d"}}, text: "A\ttitle=0a1b2c3d\n"},
		{
			name: "SKUs and fields sorted",
			rec:  Record{"B": {"type": "11111111", "title": "22222222"}, "A": {"sell_price": "33333333"}},
			text: "A\tsell_price=33333333\nB\ttitle=22222222,type=11111111\n",
		},
		{name: "a SKU in flight", rec: Record{"A": InFlightFields()}, text: "A\t*=\n"},
		{name: "a SKU without fields", rec: Record{"A": {}}, text: "A\t\n"},
		{name: "SKU characters kept", rec: Record{"ÄÖ-1/x y": {"title": "00000000"}}, text: "ÄÖ-1/x y\ttitle=00000000\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			blob, err := tc.rec.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if tc.text == "" {
				if blob != nil {
					t.Errorf("an empty record encodes to %d bytes, want none", len(blob))
				}
			} else {
				zr, err := gzip.NewReader(bytes.NewReader(blob))
				if err != nil {
					t.Fatal(err)
				}
				var text bytes.Buffer
				if _, err := text.ReadFrom(zr); err != nil {
					t.Fatal(err)
				}
				if text.String() != tc.text {
					t.Errorf("encoded %q, want %q", text.String(), tc.text)
				}
			}
			got, err := DecodeRecord(blob)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.rec) {
				t.Errorf("decoded %v, want %v", got, tc.rec)
			}
			if err := CheckRecordFits(tc.rec); err != nil {
				t.Errorf("checkRecordFits: %v", err)
			}
		})
	}
}

func TestDecodeRecordRefusesWhatTheOperatorNeverWrites(t *testing.T) {
	tooManyFields := "A\t" + strings.Repeat("f=0,", maxRecordFields) + "f=0\n"
	for _, tc := range []struct {
		name string
		blob []byte
		want string
	}{
		{name: "not gzip", blob: []byte("A\ttitle=0\n"), want: "status.pushed is not a record this operator wrote"},
		{name: "a line without a tab", blob: gzipped(t, "A title=0\n"), want: `bad line "A title=0"`},
		{name: "a line without a SKU", blob: gzipped(t, "\ttitle=0\n"), want: "bad line"},
		{name: "too many fields", blob: gzipped(t, tooManyFields), want: "more than a product may have"},
		{name: "too many SKUs", blob: gzipped(t, strings.Repeat("A\t\n", maxRecordSKUs+1)), want: "SKUs, more than"},
		{name: "too large decompressed", blob: gzipped(t, strings.Repeat("x", maxRecordText+1)), want: "decompresses to more than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeRecord(tc.blob)
			var refused *RefusedError
			if !errors.As(err, &refused) {
				t.Fatalf("error %v, want a RefusedError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to say %q", err, tc.want)
			}
		})
	}
}

func TestCheckRecordFitsRefusesTooManySKUs(t *testing.T) {
	rec := Record{}
	for i := range maxRecordSKUs + 1 {
		rec["sku-"+strconv.Itoa(i)] = nil
	}
	err := CheckRecordFits(rec)
	var refused *RefusedError
	if !errors.As(err, &refused) || !strings.Contains(err.Error(), "SKUs, more than") {
		t.Fatalf("error %v, want a refusal of too many SKUs", err)
	}
}
