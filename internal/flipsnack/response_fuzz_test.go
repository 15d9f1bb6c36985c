package flipsnack

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeResponse: whatever the platform (or a proxy in front of it) sends, the decoder
// never panics, and an answer it accepts is consistent: a usable code in one normal form,
// errors without empty entries, and a response that decodes to itself when sent again in the
// platform's documented shape, with the code as a string or, where it is a number, as a number.
func FuzzDecodeResponse(f *testing.F) {
	for _, seed := range []string{
		`{"code": 20, "status": "", "data": {"message": "Products deleted successfully", "errors": []}}`,
		`{"code": "44", "status": "Invalid signature", "data": {"errors": ["x"]}}`,
		`{"code": " 51 ", "status": "Too many"}`, `{"code": 31.0}`, `{"code": "020"}`,
		`{"code": 1e3}`, `{"code": -0}`, `{"code": "0x14"}`, `{"code": "0x1p4"}`, `{"code": "NaN"}`,
		`{"code": 9999999999999999999999}`, `{"code": "12345678901234567"}`, `{"code": true}`, `{"code": null}`,
		`{"code": 40, "data": {"errors": [{"sku": "A", "reason": "bad"}, 7, null, ""]}}`,
		`{"code": 30, "data": {"errors": "Products hashes parameter is missing"}}`,
		`{"code": 20, "data": {"errors": {"a": [1]}}}`, `{"code": 20, "data": []}`,
		`{"code": 20, "data": {"message": {"nested": true}}}`, `{"code": 22, "status": 503}`,
		`{"CODE": 20, "Data": {"Message": "case"}}`, `{"code": 20, "code": "E_OOPS"}`,
		"{\"code\": \"\\ud800\"}", "{\"code\": 20, \"status\": \"\xff\"}",
		// Invalid UTF-8 inside a non-string message or error was once passed through as is.
		"{\"code\": 20, \"data\": {\"message\": {\"a\": \"\xff\"}, \"errors\": [[\"\xfe\"]]}}",
		`not json`, ``, `[]`, `null`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := decodeResponse(body)
		if err != nil {
			return
		}
		if r.Code == "" || len(r.Code) > maxCodeLen || strings.TrimSpace(r.Code) != r.Code {
			t.Fatalf("accepted %q with code %q", body, r.Code)
		}
		if n, err := strconv.ParseInt(r.Code, 10, 64); err == nil && strconv.FormatInt(n, 10) != r.Code {
			t.Fatalf("accepted %q with the numeric code %q not in its normal form", body, r.Code)
		}
		for _, e := range r.Errors {
			if e == "" {
				t.Fatalf("accepted %q with an empty entry in errors %q", body, r.Errors)
			}
		}
		// The text ends up in conditions and events, which must be UTF-8.
		for _, text := range append([]string{r.Code, r.Status, r.Message}, r.Errors...) {
			if !utf8.ValidString(text) {
				t.Fatalf("accepted %q with text %q that is not UTF-8", body, text)
			}
		}
		_ = messageOf(r)

		quoted, _ := json.Marshal(r.Code)
		forms := []string{string(quoted)}
		if _, err := strconv.ParseInt(r.Code, 10, 64); err == nil {
			forms = append(forms, r.Code)
		}
		for _, code := range forms {
			again := resend(t, code, r)
			got, err := decodeResponse(again)
			if err != nil || !reflect.DeepEqual(got, r) {
				t.Fatalf("%q decoded to %#v, but sent again as %s it decodes to %#v (%v)", body, r, again, got, err)
			}
		}
	})
}

// resend writes r in the documented shape, with code as the given JSON text.
func resend(t *testing.T, code string, r response) []byte {
	t.Helper()
	rest, err := json.Marshal(map[string]any{
		"status": r.Status,
		"data":   map[string]any{"message": r.Message, "errors": r.Errors},
	})
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte(`{"code":`+code+`,`), rest[1:]...)
}
