package flipsnack

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func putFaults(t *testing.T, s *Server, body string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodPut, "/_sim/faults", strings.NewReader(body)))
	return rec
}

func TestFaultCountThenCleared(t *testing.T) {
	s := newUnlimited(Options{})
	_ = s.Seed(testKey, "src", raws(`{"type":"p","code":"A"}`, `{"type":"p","code":"B"}`))
	if rec := putFaults(t, s, `{"products.delete": {"errorRate": 1, "code": "31", "count": 2}, "products.create": {"errorRate": 1, "code": 22}}`); rec.Code != http.StatusOK {
		t.Fatalf("PUT faults: %d %s", rec.Code, rec.Body)
	}
	del := signed("products.delete", map[string]string{"sourceHash": "src", "productsSKU": "A"})
	for i := range 2 {
		if a := postForm(t, s, del); a.Code != CodePerSecondLimit || a.Status == "" {
			t.Fatalf("faulted call %d: %+v", i, a)
		}
	}
	if a := postForm(t, s, del); a.Code != CodeOK {
		t.Fatalf("after the count: %+v", a)
	}
	if _, left := s.Faults()["products.delete"]; left {
		t.Fatal("a fault with a spent count must be removed")
	}
	if a := postForm(t, s, signed("products.create", map[string]string{"sourceHash": "x", "products": `[{"type":"p","code":"Z"}]`})); a.Code != CodeMaintenance {
		t.Fatalf("numeric fault code: %+v", a)
	}
	calls := s.Calls()
	if calls[0].Fault != "error" || calls[0].Code != 31 || calls[2].Fault != "" || calls[2].Code != 20 {
		t.Fatalf("call log %+v", calls)
	}

	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodDelete, "/_sim/faults", nil))
	if rec.Code != http.StatusNoContent || len(s.Faults()) != 0 {
		t.Fatalf("DELETE faults: %d, left %v", rec.Code, s.Faults())
	}
}

func TestFaultValidation(t *testing.T) {
	s := newUnlimited(Options{})
	for _, body := range []string{
		`{"products.delete": {"errorRate": 2}}`,
		`{"products.delete": {"dropRate": -1}}`,
		`{"products.delete": {"latencyMs": -5}}`,
		`{"products.delete": {"code": "Throttling"}}`,
		`{"products.delete": {"error_rate": 1}}`,
		`{"products.delete": 1}`,
		`not json`,
	} {
		if rec := putFaults(t, s, body); rec.Code != http.StatusBadRequest {
			t.Errorf("PUT %s: %d, want 400", body, rec.Code)
		}
	}
}

// Transport faults need a real connection: a dropped one, and a gateway's HTTP error.
func TestDropAndHTTPStatusFaults(t *testing.T) {
	s := newUnlimited(Options{})
	srv := httptest.NewServer(s)
	defer srv.Close()
	form := url.Values{}
	for k, v := range signed("products.delete", map[string]string{"sourceHash": "src", "productsSKU": "A"}) {
		form.Set(k, v)
	}

	_ = s.SetFaults(map[string]Fault{"*": {DropRate: 1, LatencyMs: 5, Count: 1}})
	if resp, err := http.PostForm(srv.URL+"/v1/", form); err == nil {
		resp.Body.Close()
		t.Fatalf("dropped call answered HTTP %d", resp.StatusCode)
	}
	_ = s.SetFaults(map[string]Fault{"products.delete": {ErrorRate: 1, Code: "503"}})
	resp, err := http.PostForm(srv.URL+"/v1/", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("HTTP %d, want 503", resp.StatusCode)
	}
	calls := s.Calls()
	if len(calls) != 2 || calls[0].Fault != "drop" || calls[0].HTTPStatus != 0 || calls[1].HTTPStatus != 503 {
		t.Fatalf("call log %+v", calls)
	}
}

// A caller that gives up during injected latency loses the answer, not the call: the platform
// still makes the products, which is what makes a retried create meet "already exists".
func TestLatencyBeyondTheCallersPatienceStillAppliesTheCall(t *testing.T) {
	s := newUnlimited(Options{})
	srv := httptest.NewServer(s)
	defer srv.Close()
	form := url.Values{}
	for k, v := range signed("products.create", map[string]string{"sourceHash": "src", "products": `[{"type":"product","code":"A"}]`}) {
		form.Set(k, v)
	}
	_ = s.SetFaults(map[string]Fault{"products.create": {LatencyMs: 300, Count: 1}})
	impatient := &http.Client{Timeout: 50 * time.Millisecond}
	if resp, err := impatient.PostForm(srv.URL+"/v1/", form); err == nil {
		resp.Body.Close()
		t.Fatalf("answered HTTP %d before the injected latency", resp.StatusCode)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(s.Calls()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	calls := s.Calls()
	if len(calls) != 1 || calls[0].Fault != "answer lost" || calls[0].Code != 20 {
		t.Fatalf("call log %+v, want one processed call whose answer was lost", calls)
	}
	if feeds := s.Feeds(); len(feeds) != 1 || len(feeds[0].SKUs) != 1 {
		t.Fatalf("feeds %+v, want the product made", feeds)
	}
}

func TestFaultJSONRoundTrip(t *testing.T) {
	var f map[string]Fault
	if err := json.Unmarshal([]byte(`{"DeleteProduct": {"errorRate": 0.2, "code": 31, "latencyMs": 50}}`), &f); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f["DeleteProduct"], Fault{ErrorRate: 0.2, Code: "31", LatencyMs: 50}) {
		t.Fatalf("%+v", f)
	}
	out, _ := json.Marshal(f)
	if !bytes.Contains(out, []byte(`"code":"31"`)) {
		t.Fatalf("%s", out)
	}
}

// A SkipSKUs fault answers code 20 listing the skipped SKUs in data.errors and applies the rest,
// as products.delete documents for unknown or variant SKUs; create and update the same.
func TestFaultSkipSKUs(t *testing.T) {
	s := newUnlimited(Options{})
	if err := s.SetFaults(map[string]Fault{"*": {SkipSKUs: []string{"B"}}}); err != nil {
		t.Fatal(err)
	}
	a := postForm(t, s, signed("products.create", map[string]string{"sourceHash": "src", "products": `[{"type":"p","code":"A"},{"type":"p","code":"B"}]`}))
	if a.Code != CodeOK || len(a.Data.Errors) != 1 || !strings.Contains(a.Data.Errors[0], "B") {
		t.Fatalf("create: %+v", a)
	}
	if f := s.Feeds(); len(f) != 1 || strings.Join(f[0].SKUs, ",") != "A" {
		t.Fatalf("feeds %+v, want A only", f)
	}
	a = postForm(t, s, signed("products.delete", map[string]string{"sourceHash": "src", "productsSKU": "B"}))
	if a.Code != CodeOK || len(a.Data.Errors) != 1 {
		t.Fatalf("delete of a skipped SKU only: %+v", a)
	}
	// Still authenticated first.
	bad := signed("products.delete", map[string]string{"sourceHash": "src", "productsSKU": "A,B"})
	bad["signature"] = "0000"
	if a := postForm(t, s, bad); a.Code != CodeBadSignature {
		t.Fatalf("a bad signature under a skip fault: %+v", a)
	}
}

// A fault confined to one apiKey answers that account's calls only; another account's calls
// of the same action are processed.
func TestFaultOfOneAPIKeyLeavesTheOthersAlone(t *testing.T) {
	s := newUnlimited(Options{})
	if rec := putFaults(t, s, `{"products.create": {"errorRate": 1, "code": "32", "apiKey": "someone-else"}}`); rec.Code != http.StatusOK {
		t.Fatalf("PUT faults: %d %s", rec.Code, rec.Body)
	}
	create := signed("products.create", map[string]string{"sourceHash": "x", "products": `[{"type":"p","code":"Z"}]`})
	if a := postForm(t, s, create); a.Code != CodeOK {
		t.Errorf("another account's call: %+v, want it processed", a)
	}
	if rec := putFaults(t, s, `{"products.create": {"errorRate": 1, "code": "32", "apiKey": "`+testKey+`"}}`); rec.Code != http.StatusOK {
		t.Fatalf("PUT faults: %d %s", rec.Code, rec.Body)
	}
	if a := postForm(t, s, create); a.Code != CodePerMinuteLimit {
		t.Errorf("the faulted account's call: %+v, want code 32", a)
	}
}
