package flipsnack

import (
	"reflect"
	"testing"
)

func TestDecodeResponse(t *testing.T) {
	tests := []struct {
		name string
		body string
		want response
	}{
		{"number code", `{"code": 20, "status": "", "data": {"message": "Products deleted successfully", "errors": []}}`,
			response{Code: "20", Message: "Products deleted successfully"}},
		{"string code", `{"code": "40", "status": "Invalid data", "data": {"errors": ["a", "b"]}}`,
			response{Code: "40", Status: "Invalid data", Errors: []string{"a", "b"}}},
		{"padded string code", `{"code": " 51 ", "status": "Too many"}`, response{Code: "51", Status: "Too many"}},
		{"float code", `{"code": 31.0}`, response{Code: "31"}},
		{"leading zero string", `{"code": "020"}`, response{Code: "20"}},
		{"non-string errors", `{"code": 40, "data": {"errors": [{"sku": "A", "reason": "bad"}, 7, null]}}`,
			response{Code: "40", Errors: []string{`{"sku":"A","reason":"bad"}`, "7"}}},
		{"errors as a string", `{"code": 30, "data": {"errors": "Products hashes parameter is missing"}}`,
			response{Code: "30", Errors: []string{"Products hashes parameter is missing"}}},
		{"data not an object", `{"code": 20, "data": []}`, response{Code: "20"}},
		{"numeric status", `{"code": 22, "status": 503}`, response{Code: "22", Status: "503"}},
		{"unknown text code kept", `{"code": "E_OOPS"}`, response{Code: "E_OOPS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeResponse([]byte(tt.body))
			if err != nil {
				t.Fatalf("decodeResponse: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestDecodeResponseRejects(t *testing.T) {
	for _, body := range []string{
		``, `null`, `[]`, `<html>502 Bad Gateway</html>`, `{"status": "no code"}`, `{"code": null}`,
		`{"code": ""}`, `{"code": true}`, `{"code": {"x": 1}}`, `{"code": "12345678901234567"}`,
		// The documentation's own error example is not valid JSON (missing commas).
		"{\n\"code\": 30\n\"status\": \"Missing mandatory parameter\"\n}",
	} {
		if r, err := decodeResponse([]byte(body)); err == nil {
			t.Errorf("decodeResponse(%q) = %#v, want an error", body, r)
		}
	}
}
