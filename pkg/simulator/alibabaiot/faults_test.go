package alibabaiot

import (
	"net/http"
	"testing"
	"time"
)

func TestQPSIsEnforcedPerAccountAndActionInOneSecondWindows(t *testing.T) {
	e := newTestEnv(t, Options{
		QPS: map[string]int{ActionDeleteProduct: 3},
		Accounts: []Account{
			{AccessKeyID: testKeyID, AccessKeySecret: testSecret, UID: "1234"},
			{AccessKeyID: "LTAIramuser", AccessKeySecret: "ram-secret", UID: "1234"}, // a RAM user of the same account
			{AccessKeyID: "LTAIstranger", AccessKeySecret: "stranger-secret"},
		},
	})
	del := func(c *testClient) string {
		return c.call(ActionDeleteProduct, map[string]string{"ProductKey": "a1AAAAAAAAA"}).code()
	}
	ramUser, stranger := e.newClient("LTAIramuser", "ram-secret"), e.newClient("LTAIstranger", "stranger-secret")

	steps := []struct {
		name   string
		call   func() string
		want   string
		before func()
	}{
		{name: "1st call of the second", call: func() string { return del(e.client) }, want: CodeNotExistedProduct},
		{name: "2nd call", call: func() string { return del(e.client) }, want: CodeNotExistedProduct},
		{name: "3rd call, by a RAM user of the same account", call: func() string { return del(ramUser) }, want: CodeNotExistedProduct},
		{name: "4th call of the account is throttled", call: func() string { return del(e.client) }, want: "Throttling.User"},
		{name: "the RAM user shares the limit", call: func() string { return del(ramUser) }, want: "Throttling.User"},
		{name: "another account has its own limit", call: func() string { return del(stranger) }, want: CodeNotExistedProduct},
		{name: "another action has its own limit", call: func() string {
			return e.client.call(ActionQueryProduct, map[string]string{"ProductKey": "a1AAAAAAAAA"}).code()
		}, want: CodeNotExistedProduct},
		{name: "the next second opens a new window", before: func() { e.clock.Advance(time.Second) }, call: func() string { return del(e.client) }, want: CodeNotExistedProduct},
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		if got := s.call(); got != s.want {
			t.Fatalf("%s: code %q, want %q", s.name, got, s.want)
		}
	}
	throttled := e.sim.Calls(ActionDeleteProduct)[3]
	if throttled.HTTPStatus != http.StatusBadRequest || throttled.Code != "Throttling.User" {
		t.Errorf("throttled call logged as %+v", throttled)
	}
}

func TestZeroQPSIsUnlimited(t *testing.T) {
	e := newTestEnv(t, Options{QPS: map[string]int{ActionUpdateProduct: 0}})
	for i := range 30 { // the documented limit is 10
		if got := e.client.call(ActionUpdateProduct, map[string]string{"ProductKey": "a1AAAAAAAAA", "ProductName": "lamp_x"}); got.code() != CodeNotExistedProduct {
			t.Fatalf("call %d: %v", i+1, got.Body)
		}
	}
}

func TestInjectedFaultsAreAnsweredAsThePlatformWould(t *testing.T) {
	tests := []struct {
		name        string
		fault       Fault
		wantStatus  int
		wantCode    string
		wantSuccess any // the Success field: false for a business error, absent for a gateway one
	}{
		{"a gateway throttle", Fault{ErrorRate: 1, Code: "Throttling.User"}, http.StatusBadRequest, "Throttling.User", nil},
		{"an internal error", Fault{ErrorRate: 1, Code: "InternalError"}, http.StatusInternalServerError, "InternalError", nil},
		{"service unavailable", Fault{ErrorRate: 1, Code: "ServiceUnavailable"}, http.StatusServiceUnavailable, "ServiceUnavailable", nil},
		{"a permission error", Fault{ErrorRate: 1, Code: "Forbidden.RAM"}, http.StatusForbidden, "Forbidden.RAM", nil},
		{"an unknown gateway code with a chosen status", Fault{ErrorRate: 1, Code: "Made.Up", HTTPStatus: 502}, http.StatusBadGateway, "Made.Up", nil},
		{"an IoT system exception", Fault{ErrorRate: 1, Code: "iot.system.SystemException"}, http.StatusOK, "iot.system.SystemException", false},
		{"an IoT permission error", Fault{ErrorRate: 1, Code: "iot.common.RamActionPermissionDeny"}, http.StatusOK, "iot.common.RamActionPermissionDeny", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t, Options{})
			if err := e.sim.SetFaults(Faults{ActionDeleteProduct: tt.fault}); err != nil {
				t.Fatal(err)
			}
			got := e.client.call(ActionDeleteProduct, map[string]string{"ProductKey": "a1AAAAAAAAA"})
			if got.Status != tt.wantStatus || got.code() != tt.wantCode || got.Body["Success"] != tt.wantSuccess || got.str("RequestId") == "" {
				t.Fatalf("got HTTP %d %v", got.Status, got.Body)
			}
			// Other actions are not affected.
			if other := e.client.call(ActionQueryProduct, map[string]string{"ProductKey": "a1AAAAAAAAA"}); other.code() != CodeNotExistedProduct {
				t.Errorf("QueryProduct affected: %v", other.Body)
			}
			if c := e.sim.Calls(ActionDeleteProduct)[0]; c.Fault != "error" || c.Code != tt.wantCode || c.HTTPStatus != tt.wantStatus {
				t.Errorf("logged as %+v", c)
			}
		})
	}
}

func TestCountedFaultClearsAfterItsCalls(t *testing.T) {
	e := newTestEnv(t, Options{})
	if err := e.sim.SetFaults(Faults{AllActions: {ErrorRate: 1, Code: "ServiceUnavailable", Count: 2}}); err != nil {
		t.Fatal(err)
	}
	want := []string{"ServiceUnavailable", "ServiceUnavailable", CodeNotExistedProduct}
	for i, w := range want {
		if got := e.client.call(ActionQueryProduct, map[string]string{"ProductKey": "a1AAAAAAAAA"}); got.code() != w {
			t.Errorf("call %d: %q, want %q", i+1, got.code(), w)
		}
	}
	if f := e.sim.FaultsInEffect(); len(f) != 0 {
		t.Errorf("faults left: %v", f)
	}
}

func TestDroppedConnectionGetsNoAnswer(t *testing.T) {
	e := newTestEnv(t, Options{})
	if err := e.sim.SetFaults(Faults{ActionDeleteProduct: {DropRate: 1}}); err != nil {
		t.Fatal(err)
	}
	req := e.client.request(ActionDeleteProduct, map[string]string{"ProductKey": "a1AAAAAAAAA"}, nextNonce())
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got HTTP %d, want no answer", resp.StatusCode)
	}
	c := e.sim.Calls(ActionDeleteProduct)
	if len(c) != 1 || !c[0].Dropped || c[0].Code != "" || c[0].HTTPStatus != 0 || c[0].Fault != "drop" {
		t.Errorf("logged as %+v", c)
	}
}

func TestLatencyDelaysTheAnswer(t *testing.T) {
	e := newTestEnv(t, Options{})
	if err := e.sim.SetFaults(Faults{ActionQueryProduct: {LatencyMs: 2000}}); err != nil {
		t.Fatal(err)
	}
	req := e.client.request(ActionQueryProduct, map[string]string{"ProductKey": "a1AAAAAAAAA"}, nextNonce())
	// A client that gives up long before the answer sees a timeout; no assertion on durations.
	client := &http.Client{Timeout: 20 * time.Millisecond}
	resp, err := client.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got HTTP %d before the injected latency", resp.StatusCode)
	}
}

func TestInvalidFaultsAreRefused(t *testing.T) {
	e := newTestEnv(t, Options{})
	for _, f := range []Fault{
		{ErrorRate: 1.5, Code: "InternalError"},
		{ErrorRate: 0.5},
		{DropRate: -1},
		{LatencyMs: -5},
		{ErrorRate: 1, Code: "X", HTTPStatus: 99},
	} {
		if err := e.sim.SetFaults(Faults{ActionDeleteProduct: f}); err == nil {
			t.Errorf("fault %+v accepted", f)
		}
	}
}

// QueryProductList pages where CurrentPage x PageSize >= 100,000 have the documented lower
// limit of 2 per second per account, on top of the action's own 50.
func TestQueryProductListDeepPagesAreLimitedToTwoPerSecond(t *testing.T) {
	e := newTestEnv(t, Options{})
	list := func(page, size string) string {
		return e.client.call(ActionQueryProductList, map[string]string{"CurrentPage": page, "PageSize": size}).code()
	}
	steps := []struct {
		name     string
		page     string
		size     string
		want     string
		nextSecs bool
	}{
		{name: "1st deep page (500 x 200 = 100,000)", page: "500", size: "200"},
		{name: "2nd deep page (100,000 x 1)", page: "100000", size: "1"},
		{name: "3rd deep page of the second is throttled", page: "1000", size: "100", want: "Throttling.User"},
		{name: "a page just below the threshold is not (499 x 200)", page: "499", size: "200"},
		{name: "nor is a shallow page", page: "1", size: "200"},
		{name: "a huge page number is deep, not an overflow", page: "9223372036854775807", size: "200", want: "Throttling.User"},
		{name: "the next second opens a new window", page: "500", size: "200", nextSecs: true},
	}
	for _, s := range steps {
		if s.nextSecs {
			e.clock.Advance(time.Second)
		}
		if got := list(s.page, s.size); got != s.want {
			t.Fatalf("%s: code %q, want %q", s.name, got, s.want)
		}
	}
}

// A fault confined to one AccessKeyId fails that account's calls only, after their signature
// is checked; another account's calls of the same action are answered as usual.
func TestAFaultOfOneAccountLeavesTheOthersAlone(t *testing.T) {
	e := newTestEnv(t, Options{Accounts: []Account{
		{AccessKeyID: testKeyID, AccessKeySecret: testSecret},
		{AccessKeyID: "LTAIother", AccessKeySecret: "other-secret"},
	}})
	if err := e.sim.SetFaults(Faults{ActionQueryProduct: {ErrorRate: 1, Code: "Throttling.User", AccessKeyID: "LTAIother"}}); err != nil {
		t.Fatal(err)
	}
	params := map[string]string{"ProductKey": "a1AAAAAAAAA"}
	if got := e.newClient("LTAIother", "other-secret").call(ActionQueryProduct, params); got.code() != "Throttling.User" {
		t.Errorf("the faulted account's call: %q, want Throttling.User", got.code())
	}
	if got := e.newClient("LTAIother", "wrong-secret").call(ActionQueryProduct, params); got.code() == "Throttling.User" {
		t.Errorf("a call with a wrong secret got the account's fault; want the signature refused first")
	}
	if got := e.client.call(ActionQueryProduct, params); got.code() != CodeNotExistedProduct {
		t.Errorf("another account's call: %q, want %q", got.code(), CodeNotExistedProduct)
	}
}
