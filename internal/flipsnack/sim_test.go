package flipsnack_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
	"github.com/prodlife/product-lifecycle-operator/internal/flipsnack"
	sim "github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

const (
	apiKey    = "45FD-267-7SG7832"
	apiSecret = "123ABCDE-456-7890-FGH"
)

// newSim serves a simulator over real HTTP and returns a client set pointed at it. Both use the
// real budgets unless a test changes them.
func newSim(t testing.TB, simOpts sim.Options, opts flipsnack.Options) (*sim.Server, *flipsnack.ClientSet) {
	t.Helper()
	simOpts.APIKey, simOpts.APISecret = apiKey, apiSecret
	s := sim.New(simOpts)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	opts.Endpoint = srv.URL + "/v1/"
	if opts.RetryBase == 0 {
		opts.RetryBase = time.Millisecond
	}
	return s, flipsnack.NewClientSet(opts)
}

// unlimited is a simulator and client without rate limits, for tests about anything else.
func unlimited(t testing.TB, maxProducts int) (*sim.Server, *flipsnack.Client) {
	s, set := newSim(t,
		sim.Options{PerSecond: sim.Unlimited, PerMinute: sim.Unlimited, MaxProducts: maxProducts},
		flipsnack.Options{PerSecond: flipsnack.Unlimited, PerMinute: flipsnack.Unlimited})
	return s, set.For(apiKey, apiSecret)
}

func products(prefix string, n int) []json.RawMessage {
	out := make([]json.RawMessage, n)
	for i := range out {
		out[i] = json.RawMessage(fmt.Sprintf(`{"type":"product","code":"%s-%04d","title":"Item %d","sell_price":%d}`, prefix, i, i, 100+i))
	}
	return out
}

func skus(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%04d", prefix, i)
	}
	return out
}

func callsOf(s *sim.Server, action string) []sim.Call {
	var out []sim.Call
	for _, c := range s.Calls() {
		if c.Action == action {
			out = append(out, c)
		}
	}
	return out
}

func TestCreateUpdateDeleteRoundTrip(t *testing.T) {
	s, c := unlimited(t, 0)
	ctx := context.Background()

	res, err := c.CreateProducts(ctx, "feed-a", []json.RawMessage{
		json.RawMessage(`{"type":"product","code":"SKU-01","title":"Tea","website":{"button":true,"link":"https://example.com/tea"}}`),
		json.RawMessage(`{"type":"product","code":"SKU-02","title":"Cup","variants":[{"code":"SKU-02-RED","parent_code":"SKU-02"}]}`),
		json.RawMessage(`{"type":"product","code":"SKU-03","title":"Pot"}`),
	})
	if err != nil || res.Requests != 1 || res.Items != 3 {
		t.Fatalf("create: %+v, %v", res, err)
	}
	if _, err := c.UpdateProducts(ctx, "feed-a", []json.RawMessage{json.RawMessage(`{"code":"SKU-01","sell_price":4.50}`)}); err != nil {
		t.Fatalf("update: %v", err)
	}
	feeds := s.Feeds()
	if len(feeds) != 1 || feeds[0].SourceHash != "feed-a" || strings.Join(feeds[0].SKUs, ",") != "SKU-01,SKU-02,SKU-03" {
		t.Fatalf("feeds after create: %+v", feeds)
	}
	var first map[string]any
	_ = json.Unmarshal(feeds[0].Products[0], &first)
	if first["title"] != "Tea" || first["sell_price"] != 4.5 {
		t.Fatalf("update did not merge: %s", feeds[0].Products[0])
	}
	if feeds[0].Account != sim.AccountLabel(apiKey) || strings.Contains(feeds[0].Account, apiKey) {
		t.Fatalf("account label %q", feeds[0].Account)
	}

	// A variant SKU and an unknown SKU are skipped ("unknown or variant SKUs are skipped"); the
	// products go. Only the deleted SKU is reported as deleted: the skipped ones are not done.
	var recorded []string
	res, err = c.DeleteProducts(ctx, "feed-a", []string{"SKU-01", "SKU-02-RED", "NOPE"}, func(d []string) error {
		recorded = append(recorded, d...)
		return nil
	})
	if err != nil || res.Gone != 0 || len(res.Errors) != 2 || strings.Join(recorded, ",") != "SKU-01" ||
		strings.Join(res.Skipped, ",") != "SKU-02-RED,NOPE" {
		t.Fatalf("partial delete: %+v, %v, recorded %v", res, err, recorded)
	}
	if feeds := s.Feeds(); len(feeds) != 1 || strings.Join(feeds[0].SKUs, ",") != "SKU-02,SKU-03" {
		t.Fatalf("feeds after partial delete: %+v", feeds)
	}
	// Deleting the last products removes the feed.
	if _, err := c.DeleteProducts(ctx, "feed-a", []string{"SKU-02", "SKU-03"}, nil); err != nil {
		t.Fatal(err)
	}
	if feeds := s.Feeds(); len(feeds) != 0 {
		t.Fatalf("feed not removed with its last product: %+v", feeds)
	}
	// Deleting again, the feed being gone, counts as done.
	recorded = nil
	res, err = c.DeleteProducts(ctx, "feed-a", []string{"SKU-02", "SKU-03"}, func(d []string) error {
		recorded = append(recorded, d...)
		return nil
	})
	if err != nil || res.Gone != 2 || len(recorded) != 2 {
		t.Fatalf("delete of a gone feed: %+v, %v, recorded %v", res, err, recorded)
	}
}

// A SKU goes to the platform byte for byte as the caller gave it, in products.create and in
// products.delete alike, and the SKUs reported deleted are those same strings: a client that
// trimmed " SKU-1\u00a0" to "SKU-1" would delete another product, and the caller, looking for
// what it recorded, would never see its SKU go.
func TestSKUsReachThePlatformByteForByte(t *testing.T) {
	s, c := unlimited(t, 0)
	ctx := context.Background()
	odd := []string{"SKU-1\u00a0", " SKU-2", "SKU-3\u2028", "SKU-4\v", "SKU-5\u200b", "Ca\u0301fe\u0301"}
	for _, sku := range odd {
		// One call each: the call log keeps only the first 200 bytes of a parameter.
		b, _ := json.Marshal(map[string]string{"type": "product", "code": sku})
		if _, err := c.CreateProducts(ctx, "feed-raw", []json.RawMessage{b}); err != nil {
			t.Fatal(err)
		}
	}
	var created []string
	var reported []string
	if _, err := c.DeleteProducts(ctx, "feed-raw", odd, func(d []string) error {
		reported = append(reported, d...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var sent []string
	for _, call := range s.Calls() {
		if call.Action == flipsnack.ActionDelete {
			sent = append(sent, call.Params["productsSKU"])
		}
		if call.Action == flipsnack.ActionCreate {
			var got []map[string]string
			if err := json.Unmarshal([]byte(call.Params["products"]), &got); err != nil || len(got) != 1 {
				t.Fatalf("products sent %q: %v", call.Params["products"], err)
			}
			created = append(created, got[0]["code"])
		}
	}
	if strings.Join(created, ",") != strings.Join(odd, ",") {
		t.Fatalf("products.create sent codes %q, want exactly %q", created, odd)
	}
	if want := strings.Join(odd, ","); len(sent) != 1 || sent[0] != want {
		t.Fatalf("productsSKU sent %q, want exactly %q", sent, want)
	}
	if strings.Join(reported, ",") != strings.Join(odd, ",") {
		t.Fatalf("SKUs reported deleted %q, want exactly %q", reported, odd)
	}
}

func TestCreateAndUpdateConflicts(t *testing.T) {
	_, c := unlimited(t, 0)
	ctx := context.Background()
	if _, err := c.CreateProducts(ctx, "feed-b", products("B", 3)); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateProducts(ctx, "feed-b", products("B", 1))
	if !apierr.Is(err, apierr.AlreadyExists) {
		t.Fatalf("create of an existing SKU: %v, want AlreadyExists", err)
	}
	_, err = c.UpdateProducts(ctx, "feed-b", []json.RawMessage{json.RawMessage(`{"code":"B-9999","title":"x"}`)})
	if !apierr.Is(err, apierr.NotFound) {
		t.Fatalf("update of an unknown SKU: %v, want NotFound", err)
	}
	_, err = c.UpdateProducts(ctx, "no-such-feed", []json.RawMessage{json.RawMessage(`{"code":"B-0000","title":"x"}`)})
	if !apierr.Is(err, apierr.NotFound) {
		t.Fatalf("update of an unknown feed: %v, want NotFound", err)
	}
}

func TestWrongCredentials(t *testing.T) {
	s, set := newSim(t, sim.Options{}, flipsnack.Options{})
	_ = s
	ctx := context.Background()
	tests := []struct {
		key, secret string
		code        string
	}{
		{apiKey, "wrong-secret", "44"},
		{"unknown-key", apiSecret, "41"},
	}
	for _, tt := range tests {
		_, err := set.For(tt.key, tt.secret).DeleteProducts(ctx, "feed", []string{"A"}, nil)
		var e *apierr.Error
		if !errors.As(err, &e) || e.Class != apierr.TerminalAuth || e.Code != tt.code {
			t.Fatalf("got %v, want TerminalAuth %s", err, tt.code)
		}
		if strings.Contains(err.Error(), tt.key) || strings.Contains(err.Error(), tt.secret) {
			t.Fatalf("credentials in %q", err)
		}
	}
	for _, call := range s.Calls() {
		if strings.Contains(fmt.Sprint(call), apiKey) || strings.Contains(fmt.Sprint(call), "unknown-key") {
			t.Fatalf("call log holds a key: %+v", call)
		}
	}
}

func TestBatchesOf500(t *testing.T) {
	s, c := unlimited(t, 0)
	ctx := context.Background()
	if err := s.Seed(apiKey, "feed-c", products("C", 1201)); err != nil {
		t.Fatal(err)
	}
	var batches []int
	res, err := c.DeleteProducts(ctx, "feed-c", skus("C", 1201), func(d []string) error {
		batches = append(batches, len(d))
		return nil
	})
	if err != nil || res.Requests != 3 || res.Items != 1201 {
		t.Fatalf("%+v, %v", res, err)
	}
	if fmt.Sprint(batches) != "[500 500 201]" {
		t.Fatalf("batches %v", batches)
	}
	if calls := callsOf(s, flipsnack.ActionDelete); len(calls) != 3 {
		t.Fatalf("%d calls, want 3", len(calls))
	}
	if len(s.Feeds()) != 0 {
		t.Fatal("feed left behind")
	}
}

// The platform allows fewer products per request than we send: the client halves on 51 and
// keeps the smaller size.
func TestHalvesOn51(t *testing.T) {
	s, c := unlimited(t, 100)
	ctx := context.Background()
	res, err := c.CreateProducts(ctx, "feed-d", products("D", 1201))
	if err != nil || res.Items != 1201 {
		t.Fatalf("create: %+v, %v", res, err)
	}
	s.ClearCalls()
	res, err = c.DeleteProducts(ctx, "feed-d", skus("D", 1201), nil)
	if err != nil || res.Items != 1201 {
		t.Fatalf("delete: %+v, %v", res, err)
	}
	var sizes []int
	n51 := 0
	for _, call := range s.Calls() {
		sizes = append(sizes, call.Items)
		switch {
		case call.Code == 51:
			n51++
		case call.Code != 20:
			t.Fatalf("unexpected answer %+v", call)
		case call.Items > 100:
			t.Fatalf("accepted a batch of %d", call.Items)
		}
	}
	// 500, 250 and 125 are refused; 62 is accepted and kept: 20 batches.
	if n51 != 3 || len(sizes) != 23 || sizes[3] != 62 {
		t.Fatalf("batch sizes %v", sizes)
	}
	if len(s.Feeds()) != 0 {
		t.Fatal("feed left behind")
	}

	// When even one product is too many, splitting cannot help: terminal.
	if err := s.Seed(apiKey, "feed-d", products("D", 4)); err != nil {
		t.Fatal(err)
	}
	s.ClearCalls()
	_ = s.SetFaults(map[string]sim.Fault{flipsnack.ActionDelete: {ErrorRate: 1, Code: "51"}})
	_, err = c.DeleteProducts(ctx, "feed-d", skus("D", 4), nil)
	var e *apierr.Error
	if !errors.As(err, &e) || e.Class != apierr.TerminalInput || e.Code != "51" {
		t.Fatalf("51 for one SKU: %v", err)
	}
	sizes = nil
	for _, call := range s.Calls() {
		sizes = append(sizes, call.Items)
	}
	if fmt.Sprint(sizes) != "[4 2 1]" {
		t.Fatalf("batch sizes %v", sizes)
	}
}

func TestRetriesInjectedThrottlingAndMaintenance(t *testing.T) {
	for _, code := range []string{"31", "32", "22"} {
		t.Run(code, func(t *testing.T) {
			s, c := unlimited(t, 0)
			if err := s.Seed(apiKey, "feed-e", products("E", 10)); err != nil {
				t.Fatal(err)
			}
			if err := s.SetFaults(map[string]sim.Fault{flipsnack.ActionDelete: {ErrorRate: 1, Code: code, Count: 2}}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.DeleteProducts(context.Background(), "feed-e", skus("E", 10), nil); err != nil {
				t.Fatalf("want success after two %s answers, got %v", code, err)
			}
			calls := s.Calls()
			if len(calls) != 3 || calls[0].Fault != "error" || calls[1].Fault != "error" || calls[2].Code != 20 {
				t.Fatalf("calls %+v", calls)
			}
			if len(s.Feeds()) != 0 {
				t.Fatal("feed left behind")
			}
		})
	}
}

func TestInjectedTransportFaults(t *testing.T) {
	s, c := unlimited(t, 0)
	ctx := context.Background()
	_ = s.SetFaults(map[string]sim.Fault{"*": {DropRate: 1, Count: 1}})
	_, err := c.DeleteProducts(ctx, "f", []string{"A"}, nil)
	var e *apierr.Error
	if !errors.As(err, &e) || e.Class != apierr.Retryable || e.HTTPStatus != 0 {
		t.Fatalf("dropped connection: %v", err)
	}
	_ = s.SetFaults(map[string]sim.Fault{"*": {ErrorRate: 1, Code: "503", Count: 1}})
	_, err = c.DeleteProducts(ctx, "f", []string{"A"}, nil)
	if !errors.As(err, &e) || e.Class != apierr.Retryable || e.HTTPStatus != 503 {
		t.Fatalf("HTTP 503: %v", err)
	}
	_ = s.SetFaults(map[string]sim.Fault{"*": {LatencyMs: 5000}})
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = c.DeleteProducts(short, "f", []string{"A"}, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("latency beyond the deadline: %v", err)
	}
}
