package flipsnack

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func get(t *testing.T, s *Server, method, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}

func TestInspectionAPI(t *testing.T) {
	s := newUnlimited(Options{})
	postForm(t, s, signed("products.create", map[string]string{"sourceHash": "src", "products": `[{"type":"p","code":"A"},{"type":"p","code":"B"}]`}))
	postForm(t, s, signed("products.delete", map[string]string{"sourceHash": "src", "productsSKU": "A"}))

	rec := get(t, s, http.MethodGet, "/_sim/state")
	var state struct{ Feeds []Feed }
	if err := json.Unmarshal(rec.Body.Bytes(), &state); err != nil || rec.Code != 200 {
		t.Fatalf("state %d %s", rec.Code, rec.Body)
	}
	if len(state.Feeds) != 1 || state.Feeds[0].SourceHash != "src" || strings.Join(state.Feeds[0].SKUs, ",") != "B" ||
		state.Feeds[0].Account != AccountLabel(testKey) {
		t.Fatalf("state %+v", state)
	}

	rec = get(t, s, http.MethodGet, "/_sim/calls?action=products.delete")
	var calls struct{ Calls []Call }
	if err := json.Unmarshal(rec.Body.Bytes(), &calls); err != nil {
		t.Fatal(err)
	}
	if len(calls.Calls) != 1 || calls.Calls[0].Items != 1 || calls.Calls[0].Code != 20 || calls.Calls[0].Params["productsSKU"] != "A" {
		t.Fatalf("calls %+v", calls)
	}
	for _, path := range []string{"/_sim/state", "/_sim/calls"} {
		body := get(t, s, http.MethodGet, path).Body.String()
		if strings.Contains(body, testKey) || strings.Contains(body, testSecret) || strings.Contains(body, `"signature"`) {
			t.Fatalf("%s shows credentials: %s", path, body)
		}
	}

	if rec := get(t, s, http.MethodDelete, "/_sim/calls"); rec.Code != http.StatusNoContent || len(s.Calls()) != 0 {
		t.Fatal("DELETE /_sim/calls")
	}
	_ = s.SetFaults(map[string]Fault{"*": {LatencyMs: 1}})
	if rec := get(t, s, http.MethodDelete, "/_sim/state"); rec.Code != http.StatusNoContent || len(s.Feeds()) != 0 || len(s.Faults()) != 0 {
		t.Fatal("DELETE /_sim/state must reset")
	}
	if body := get(t, s, http.MethodGet, "/_sim/state").Body.String(); !strings.Contains(body, `"feeds": []`) {
		t.Fatalf("empty state %s", body)
	}
	if rec := get(t, s, http.MethodPost, "/_sim/state"); rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("POST state: %d", rec.Code)
	}
	if rec := get(t, s, http.MethodGet, "/_sim/nothing"); rec.Code != http.StatusNotFound {
		t.Fatalf("unknown path: %d", rec.Code)
	}
}

// Long parameters are cut short in the log.
func TestCallLogTruncatesLongValues(t *testing.T) {
	s := newUnlimited(Options{})
	skus := strings.Repeat("SKU-0000,", 400)
	postForm(t, s, signed("products.delete", map[string]string{"sourceHash": "src", "productsSKU": skus}))
	c := s.Calls()[0]
	if len(c.Params["productsSKU"]) > maxParamLog+32 || !strings.Contains(c.Params["productsSKU"], "bytes)") {
		t.Fatalf("logged %q", c.Params["productsSKU"])
	}
}
