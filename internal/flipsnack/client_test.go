package flipsnack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
	"github.com/prodlife/product-lifecycle-operator/internal/metrics"
)

// The request is a signed form whose signature covers exactly the values on the wire.
func TestRequestIsSignedOverWireValues(t *testing.T) {
	var mu sync.Mutex
	var got []map[string]string
	c := stubClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/" ||
			r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			t.Errorf("got %s %s %s", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
		}
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		params := map[string]string{}
		for k := range r.PostForm {
			params[k] = r.PostForm.Get(k)
		}
		mu.Lock()
		got = append(got, params)
		mu.Unlock()
		_, _ = w.Write([]byte(`{"code": "20", "status": "", "data": {"message": "done", "errors": ["skipped X"]}}`))
	})
	ctx := context.Background()
	products := []json.RawMessage{
		json.RawMessage(`{ "type": "product", "code": "A&B", "title": "<b>Tea</b>" }`),
		json.RawMessage(`{"type":"product","code":"C"}`),
	}
	res, err := c.CreateProducts(ctx, "feed-1", products)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 1 || res.Items != 2 || len(res.Messages) != 1 || res.Messages[0] != "done" || len(res.Errors) != 1 {
		t.Fatalf("result %+v", res)
	}
	if _, err := c.DeleteProducts(ctx, "feed-1", []string{" A&B ", "C", "A&B", ""}, nil); err != nil {
		t.Fatal(err)
	}

	if len(got) != 2 {
		t.Fatalf("%d requests, want 2", len(got))
	}
	for _, p := range got {
		if p["signature"] != Sign(testSecret, p) {
			t.Fatalf("signature %s does not cover the sent values %v", p["signature"], p)
		}
		if p["apiKey"] != testKey || p["sourceHash"] != "feed-1" {
			t.Fatalf("params %v", p)
		}
	}
	if got[0]["action"] != ActionCreate ||
		got[0]["products"] != `[{"type":"product","code":"A&B","title":"<b>Tea</b>"},{"type":"product","code":"C"}]` {
		t.Fatalf("create params %v", got[0])
	}
	if got[1]["action"] != ActionDelete || got[1]["productsSKU"] != " A&B ,C,A&B" {
		t.Fatalf("delete params %v (SKUs must be sent as given, only exact repeats and empty ones dropped)", got[1])
	}
}

// Requests the platform could only reject are refused without spending a call.
func TestRefusesInvalidInputLocally(t *testing.T) {
	var calls atomic.Int32
	c := stubClient(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		_, _ = w.Write([]byte(`{"code": 20}`))
	})
	ctx := context.Background()
	long := strings.Repeat("h", MaxSourceHash+1)
	p := func(s string) []json.RawMessage { return []json.RawMessage{json.RawMessage(s)} }
	cases := map[string]func() error{
		"empty sourceHash": func() error { _, err := c.DeleteProducts(ctx, "", []string{"A"}, nil); return err },
		"long sourceHash":  func() error { _, err := c.CreateProducts(ctx, long, p(`{"type":"t","code":"A"}`)); return err },
		"not an object":    func() error { _, err := c.CreateProducts(ctx, "f", p(`[1]`)); return err },
		"no code":          func() error { _, err := c.UpdateProducts(ctx, "f", p(`{"title":"x"}`)); return err },
		"no type":          func() error { _, err := c.CreateProducts(ctx, "f", p(`{"code":"A"}`)); return err },
		"comma in SKU":     func() error { _, err := c.DeleteProducts(ctx, "f", []string{"A,B"}, nil); return err },
		"duplicate SKU": func() error {
			_, err := c.CreateProducts(ctx, "f", []json.RawMessage{json.RawMessage(`{"type":"t","code":"A"}`), json.RawMessage(`{"type":"t","code":"A"}`)})
			return err
		},
	}
	for name, run := range cases {
		if err := run(); !apierr.Is(err, apierr.TerminalInput) {
			t.Errorf("%s: got %v, want TerminalInput", name, err)
		}
	}
	// An update needs no type; nothing to delete needs no call.
	if _, err := c.UpdateProducts(ctx, "f", p(`{"code":"A","title":"x"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteProducts(ctx, "f", []string{"", ""}, nil); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 1 {
		t.Fatalf("%d calls, want 1", calls.Load())
	}
}

// An error from onBatch stops the delete and comes back to the caller.
func TestOnBatchErrorStops(t *testing.T) {
	var calls atomic.Int32
	c := stubClient(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		_, _ = w.Write([]byte(`{"code": 20}`))
	}, func(o *Options) { o.MaxBatch = 2 })
	boom := errors.New("status write failed")
	_, err := c.DeleteProducts(context.Background(), "f", []string{"A", "B", "C", "D"}, func([]string) error { return boom })
	if !errors.Is(err, boom) || calls.Load() != 1 {
		t.Fatalf("got %v after %d calls, want the callback's error after 1", err, calls.Load())
	}
}

// Clients of one pair of credentials share a budget; another secret with the same apiKey
// (a wrong one, sent by someone who knows the key) and other keys have their own, so what a
// wrong secret spends costs the key's account nothing. However many pairs come and go, at most
// maxBudgets are kept, and none is keyed by the apiKey or the secret itself.
func TestClientSetSharesBudgetPerCredentials(t *testing.T) {
	set := NewClientSet(Options{})
	a, same, wrongSecret, other := set.For("k1", "s1"), set.For("k1", "s1"), set.For("k1", "wrong"), set.For("k2", "s1")
	if a.budget != same.budget || a.budget == wrongSecret.budget || a.budget == other.budget {
		t.Fatal("budgets are not shared per pair of credentials")
	}
	for range 10 { // more than the 5 a second the budget allows
		if release, _ := wrongSecret.budget.tryNow(); release != nil {
			release()
		}
	}
	if release, wait := a.budget.tryNow(); release == nil {
		t.Errorf("the account's budget is spent by calls with a wrong secret: the next call waits %s", wait)
	}
	if set.budgets.Len() != 3 {
		t.Fatalf("%d budgets, want 3", set.budgets.Len())
	}
	if id := credentialsID("k1", "s1"); strings.Contains(id, "k1") || strings.Contains(id, "s1") {
		t.Fatalf("budgets keyed by the credentials themselves: %s", id)
	}
	for i := range 10000 {
		set.For(fmt.Sprintf("rotated-%d", i), "s")
	}
	if n := set.budgets.Len(); n > maxBudgets {
		t.Errorf("%d budgets kept after 10,000 rotations, want at most %d", n, maxBudgets)
	}
	if len(a.budget.windows) != 2 || a.budget.windows[0].limit != 5 || a.budget.windows[1].limit != 60 {
		t.Fatal("default budget is not 5/s and 60/min")
	}
	if n := len(NewClientSet(Options{PerSecond: Unlimited, PerMinute: Unlimited}).For("k", "s").budget.windows); n != 0 {
		t.Fatalf("unlimited budget has %d windows", n)
	}
}

// An endpoint that answers with a redirect gets an error saying the redirect was refused, and
// the address it points to receives nothing: not the apiKey, not the signed form. The
// refusal is counted under the redirect's status.
func TestARedirectIsRefusedAndNeverFollowed(t *testing.T) {
	var reached atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		_, _ = w.Write([]byte(`{"code": 20, "status": "OK"}`))
	}))
	t.Cleanup(elsewhere.Close)
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		for _, custom := range []bool{false, true} {
			c := stubClient(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, elsewhere.URL+"/v1/", status)
			}, func(o *Options) {
				if custom {
					o.HTTPClient = &http.Client{} // follows redirects, left alone
				}
			})
			code := metrics.HTTPStatusCode(status)
			before := testutil.ToFloat64(metrics.ExternalRequests.WithLabelValues(Platform, ActionDelete, code))

			err := runOne(c, ActionDelete)

			var e *apierr.Error
			if !errors.As(err, &e) || e.HTTPStatus != status || !strings.Contains(err.Error(), "redirect refused") {
				t.Errorf("HTTP %d (own http.Client %v): got %v, want a refused redirect with that status", status, custom, err)
			}
			if got := testutil.ToFloat64(metrics.ExternalRequests.WithLabelValues(Platform, ActionDelete, code)) - before; got != 1 {
				t.Errorf("HTTP %d: %s counted %v times, want 1", status, code, got)
			}
		}
	}
	if n := reached.Load(); n != 0 {
		t.Errorf("the redirect's target received %d requests, want none", n)
	}
}

// A documented code is counted as itself; a code the documentation does not list is counted
// as "other", so an endpoint cannot grow the metrics by making codes up.
func TestUndocumentedCodesAreCountedAsOther(t *testing.T) {
	for code, want := range map[string]string{
		CodeBadSignature: CodeBadSignature,
		"77":             metrics.CodeOther,
		"invented":       metrics.CodeOther,
	} {
		c := stubClient(t, answerWith(200, `{"code": "`+code+`", "status": "no"}`))
		before := testutil.ToFloat64(metrics.ExternalRequests.WithLabelValues(Platform, ActionDelete, want))
		_ = runOne(c, ActionDelete)
		if got := testutil.ToFloat64(metrics.ExternalRequests.WithLabelValues(Platform, ActionDelete, want)) - before; got != 1 {
			t.Errorf("code %s: %q counted %v times, want 1", code, want, got)
		}
	}
}
