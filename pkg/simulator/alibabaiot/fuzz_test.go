package alibabaiot

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzAPIRequest drives arbitrary methods, query strings, headers and bodies through the API
// handler: request parsing, the gateway's signature checks (V3 and V1) and, when the harness
// signs the fuzzed parameters itself (sign), every action with arbitrary parameters. The
// simulator must never panic, and must always answer JSON carrying its RequestId (also in
// the x-acs-request-id header): an error with a code and a message, or a success.
func FuzzAPIRequest(f *testing.F) {
	clock := newFakeClock()
	const base = "http://example.com" // the Host of httptest.NewRequest, which V3 signs
	seed := func(req *http.Request, body string, sign bool) {
		var headers strings.Builder
		for name, values := range req.Header {
			for _, v := range values {
				headers.WriteString(name + ": " + v + "\n")
			}
		}
		f.Add(req.Method, req.URL.RawQuery, headers.String(), []byte(body), sign)
	}
	list := map[string]string{"CurrentPage": "1", "PageSize": "10"}
	seed(signV3(base, ActionQueryProductList, list, testKeyID, testSecret, "", clock.Now(), "n1"), "", false)
	seed(signV1(base, ActionQueryProductList, list, testKeyID, testSecret, "", clock.Now(), "n2"), "", false)
	seed(signV1(base, ActionCreateProduct, map[string]string{"ProductName": "fuzz_product", "NodeType": "0"}, testKeyID, testSecret, "", clock.Now(), "n3"), "", false)
	form, _ := http.NewRequest(http.MethodPost, base+"/?Action=QueryProduct", nil)
	form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	seed(form, "ProductKey=a1AAAAAAAAA&Version="+APIVersion, false)
	seed(form, "%zz=1&Action=%", false)
	seed(form, "Action=QueryProductList&CurrentPage=1&PageSize=200", true)
	for _, q := range []string{
		"Action=QueryProductList&CurrentPage=2&PageSize=1",
		"Action=QueryProduct&ProductKey=a1FuzzFuzz1",
		"Action=UpdateProduct&ProductKey=a1FuzzFuzz1&ProductName=renamed&Description=d",
		"Action=DeleteProduct&ProductKey=a1FuzzFuzz1",
		"Action=CreateProduct&ProductName=x&NodeType=1&DataFormat=0&NetType=LORA&AuthType=id2",
		// Once a panic: (page-1)*size overflowed into a negative index.
		"Action=QueryProductList&CurrentPage=4611686018427387904&PageSize=4",
		"Action=QueryProductList&CurrentPage=9223372036854775807&PageSize=200&IotInstanceId=iot-1",
	} {
		seed(&http.Request{Method: http.MethodPost, URL: &url.URL{RawQuery: q}, Header: http.Header{}}, "", true)
	}
	f.Add("GET", "Action=QueryProduct&Signature=x&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&AccessKeyId="+testKeyID, "", []byte(nil), false)
	f.Add("PUT", "", "Authorization: ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=\nx-acs-action: QueryProduct\n", []byte{0xff, '&', '='}, false)
	f.Add("", "Action=&Version=&Timestamp=2024-05-01T08%3A00%3A00Z", "Content-Type: multipart/form-data; boundary=\n", []byte("--\r\n"), false)

	f.Fuzz(func(t *testing.T, method, rawQuery, headers string, body []byte, sign bool) {
		sim := New(Options{AccessKeyID: testKeyID, AccessKeySecret: testSecret, Now: clock.Now})
		if _, err := sim.AddProduct(Product{ProductKey: "a1FuzzFuzz1", ProductName: "fuzz_existing"}); err != nil {
			t.Fatal(err)
		}
		if sign {
			// The harness signs the fuzzed parameters, so they get past the gateway.
			params := map[string]string{}
			values, _ := url.ParseQuery(rawQuery)
			for k := range values {
				params[k] = values.Get(k)
			}
			rawQuery = signV1(base, params["Action"], params, testKeyID, testSecret, "", clock.Now(), "fuzz-nonce").URL.RawQuery
		}
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Method, req.URL.RawQuery = method, rawQuery
		for _, line := range strings.Split(headers, "\n") {
			if name, value, ok := strings.Cut(line, ":"); ok {
				req.Header.Add(name, strings.TrimSpace(value))
			}
		}
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, req)

		var answer struct {
			RequestId, Code, Message, ErrorMessage string
			Success                                *bool
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
			t.Fatalf("HTTP %d, not JSON (%v): %q", rec.Code, err, rec.Body)
		}
		if answer.RequestId == "" || rec.Header().Get("x-acs-request-id") != answer.RequestId {
			t.Fatalf("HTTP %d, RequestId %q, header %q: %s", rec.Code, answer.RequestId, rec.Header().Get("x-acs-request-id"), rec.Body)
		}
		failed := answer.Code != "" || rec.Code != http.StatusOK || answer.Success == nil || !*answer.Success
		if failed && (answer.Code == "" || answer.Message+answer.ErrorMessage == "" || (rec.Code == http.StatusOK && (answer.Success == nil || *answer.Success))) {
			t.Fatalf("HTTP %d, a failure without a code and message, or with Success: %s", rec.Code, rec.Body)
		}
		for _, call := range sim.Calls("") {
			for name := range call.Parameters {
				if secretParams[name] {
					t.Fatalf("the call log holds %s: %+v", name, call)
				}
			}
		}
	})
}
