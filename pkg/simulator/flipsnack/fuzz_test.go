package flipsnack

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// FuzzParseRequest feeds arbitrary bodies and content types through the whole API handler: the
// simulator must never panic and must always answer the API's JSON with a known code.
func FuzzParseRequest(f *testing.F) {
	form := url.Values{}
	for k, v := range signed("products.create", map[string]string{"sourceHash": "src", "products": `[{"type":"p","code":"A"}]`}) {
		form.Set(k, v)
	}
	f.Add("application/x-www-form-urlencoded", []byte(form.Encode()))

	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	for k, v := range signed("products.delete", map[string]string{"sourceHash": "src", "productsSKU": "A,B, ,A"}) {
		_ = mw.WriteField(k, v)
	}
	_ = mw.Close()
	f.Add(mw.FormDataContentType(), mp.Bytes())

	f.Add("multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x--"))
	f.Add("multipart/form-data", []byte("no boundary"))
	f.Add("application/x-www-form-urlencoded", []byte("%zz=1&action=%"))
	f.Add("text/plain", []byte("action=products.delete"))
	f.Add("", []byte{0xff, 0x00, '&', '='})

	known := map[int]bool{}
	for code := range statusText {
		known[code] = true
	}
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		s := newUnlimited(Options{MaxProducts: 5})
		_ = s.Seed(testKey, "src", raws(`{"type":"p","code":"A"}`))
		req := httptest.NewRequest(http.MethodPost, "/v1/", bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		var a answer
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &a) != nil || !known[a.Code] {
			t.Fatalf("HTTP %d answer %q", rec.Code, rec.Body)
		}
	})
}
