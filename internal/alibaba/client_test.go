package alibaba

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

// Each row: what the platform does, the call, and the error the engine must see.
func TestErrorClassesAgainstTheSimulator(t *testing.T) {
	deleteMissing := func(c *Client) error { _, err := c.DeleteProduct(context.Background(), "a1NoSuchKey"); return err }
	tests := []struct {
		name          string
		fault         *alibabaiot.Fault // on DeleteProduct
		call          func(c *Client) error
		timeout       time.Duration
		wantClass     apierr.Class
		wantCode      string
		wantStatus    int
		wantRequestID bool
	}{
		{name: "the product is gone", call: deleteMissing,
			wantClass: apierr.NotFound, wantCode: "iot.prod.NotExistedProduct", wantStatus: 200, wantRequestID: true},
		{name: "the name is taken",
			call: func(c *Client) error {
				_, _, err := c.CreateProduct(context.Background(), CreateProductInput{ProductName: "taken_name", NodeType: 0})
				return err
			},
			wantClass: apierr.AlreadyExists, wantCode: "iot.prod.AlreadyExistedProductName", wantStatus: 200, wantRequestID: true},
		{name: "an invalid name",
			call: func(c *Client) error {
				_, _, err := c.CreateProduct(context.Background(), CreateProductInput{ProductName: "no", NodeType: 0})
				return err
			},
			wantClass: apierr.TerminalInput, wantCode: "iot.prod.InvalidFormattedProductName", wantStatus: 200, wantRequestID: true},
		{name: "the platform throttles the user", fault: &alibabaiot.Fault{ErrorRate: 1, Code: "Throttling.User"}, call: deleteMissing,
			wantClass: apierr.Throttled, wantCode: "Throttling.User", wantStatus: 400, wantRequestID: true},
		{name: "the platform throttles", fault: &alibabaiot.Fault{ErrorRate: 1, Code: "Throttling"}, call: deleteMissing,
			wantClass: apierr.Throttled, wantCode: "Throttling", wantStatus: 400, wantRequestID: true},
		{name: "an internal error", fault: &alibabaiot.Fault{ErrorRate: 1, Code: "InternalError"}, call: deleteMissing,
			wantClass: apierr.Retryable, wantCode: "InternalError", wantStatus: 500, wantRequestID: true},
		{name: "service unavailable", fault: &alibabaiot.Fault{ErrorRate: 1, Code: "ServiceUnavailable"}, call: deleteMissing,
			wantClass: apierr.Retryable, wantCode: "ServiceUnavailable", wantStatus: 503, wantRequestID: true},
		{name: "an IoT system exception", fault: &alibabaiot.Fault{ErrorRate: 1, Code: "iot.system.SystemException"}, call: deleteMissing,
			wantClass: apierr.Retryable, wantCode: "iot.system.SystemException", wantStatus: 200, wantRequestID: true},
		{name: "a RAM policy denies the action", fault: &alibabaiot.Fault{ErrorRate: 1, Code: "iot.common.RamActionPermissionDeny"}, call: deleteMissing,
			wantClass: apierr.TerminalAuth, wantCode: "iot.common.RamActionPermissionDeny", wantStatus: 200, wantRequestID: true},
		{name: "the gateway forbids", fault: &alibabaiot.Fault{ErrorRate: 1, Code: "Forbidden.RAM"}, call: deleteMissing,
			wantClass: apierr.TerminalAuth, wantCode: "Forbidden.RAM", wantStatus: 403, wantRequestID: true},
		{name: "the account is overdue", fault: &alibabaiot.Fault{ErrorRate: 1, Code: "Iot.system.BillIsOverDue"}, call: deleteMissing,
			wantClass: apierr.TerminalAuth, wantCode: "Iot.system.BillIsOverDue", wantStatus: 200, wantRequestID: true},
		{name: "an unknown gateway 4xx", fault: &alibabaiot.Fault{ErrorRate: 1, Code: "Made.Up", HTTPStatus: 400}, call: deleteMissing,
			wantClass: apierr.TerminalInput, wantCode: "Made.Up", wantStatus: 400, wantRequestID: true},
		{name: "an unknown gateway 5xx", fault: &alibabaiot.Fault{ErrorRate: 1, Code: "Made.Up", HTTPStatus: 502}, call: deleteMissing,
			wantClass: apierr.Retryable, wantCode: "Made.Up", wantStatus: 502, wantRequestID: true},
		{name: "the connection drops", fault: &alibabaiot.Fault{DropRate: 1}, call: deleteMissing,
			wantClass: apierr.Retryable},
		{name: "the answer outlasts the timeout", fault: &alibabaiot.Fault{LatencyMs: 5000}, timeout: 200 * time.Millisecond, call: deleteMissing,
			wantClass: apierr.Retryable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t, alibabaiot.Options{}, Options{Timeout: tt.timeout})
			if _, err := e.sim.AddProduct(alibabaiot.Product{ProductName: "taken_name"}); err != nil {
				t.Fatal(err)
			}
			if tt.fault != nil {
				if err := e.sim.SetFaults(alibabaiot.Faults{ActionDeleteProduct: *tt.fault}); err != nil {
					t.Fatal(err)
				}
			}
			err := tt.call(e.client)
			var got *apierr.Error
			if !errors.As(err, &got) {
				t.Fatalf("error %v (%T) is not an *apierr.Error", err, err)
			}
			if got.Platform != "alibaba" || got.Class != tt.wantClass || got.Code != tt.wantCode || got.HTTPStatus != tt.wantStatus ||
				(got.RequestID != "") != tt.wantRequestID || got.Action == "" {
				t.Errorf("got %+v\nwant class %s code %q HTTP %d RequestId %v", got, tt.wantClass, tt.wantCode, tt.wantStatus, tt.wantRequestID)
			}
			if tt.timeout > 0 {
				var netErr net.Error
				if !errors.As(err, &netErr) || !netErr.Timeout() {
					t.Errorf("a timeout should be visible as one: %v", err)
				}
			}
			if strings.Contains(err.Error(), "ProductKey=") {
				t.Errorf("the message quotes the request URL: %v", err)
			}
		})
	}
}

func TestSecretsNeverAppearInErrors(t *testing.T) {
	const (
		badSecret = "Th1s-Is-The-Wrong-Secret-9876543210"
		token     = "CAISsts-token-value-0123456789"
	)
	refused := func() string {
		// A port nothing listens on.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		return "http://" + addr
	}()
	tests := []struct {
		name      string
		creds     Credentials
		endpoint  string // "" the simulator
		wantClass apierr.Class
		wantCode  string
	}{
		{"a wrong secret", Credentials{AccessKeyID: simKeyID, AccessKeySecret: badSecret}, "", apierr.TerminalAuth, "SignatureDoesNotMatch"},
		{"an unknown key", Credentials{AccessKeyID: "LTAIunknownkey", AccessKeySecret: badSecret}, "", apierr.TerminalAuth, "InvalidAccessKeyId.NotFound"},
		{"an STS token the key does not have", Credentials{AccessKeyID: simKeyID, AccessKeySecret: simSecret, SecurityToken: token}, "", apierr.TerminalAuth, "InvalidSecurityToken.Mismatch"},
		{"no server at all", Credentials{AccessKeyID: simKeyID, AccessKeySecret: badSecret, SecurityToken: token}, refused, apierr.Retryable, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t, alibabaiot.Options{}, Options{})
			set := e.set
			if tt.endpoint != "" {
				var err error
				if set, err = NewClientSet(Options{Endpoint: tt.endpoint}); err != nil {
					t.Fatal(err)
				}
			}
			c, err := set.For(&tt.creds, "")
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.DeleteProduct(context.Background(), "a1AAAAAAAAA")
			var got *apierr.Error
			if !errors.As(err, &got) || got.Class != tt.wantClass || got.Code != tt.wantCode {
				t.Fatalf("got %+v, want class %s code %q", got, tt.wantClass, tt.wantCode)
			}
			for _, text := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%+v", *got), fmt.Sprint(errors.Unwrap(err))} {
				for _, secret := range []string{badSecret, token} {
					if strings.Contains(text, secret) {
						t.Errorf("the error shows a secret: %s", text)
					}
				}
			}
		})
	}
}

func TestCredentialsNeverPrintTheirSecret(t *testing.T) {
	c := Credentials{AccessKeyID: "LTAIvisible", AccessKeySecret: "invisible-secret-value", SecurityToken: "invisible-token-value"}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("using", "creds", c, "ptr", &c)
	for _, text := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%v", &c), fmt.Sprintf("%s", c), logged.String()} {
		if strings.Contains(text, "invisible") {
			t.Errorf("printed a secret: %s", text)
		}
		if !strings.Contains(text, "LTAIvisible") {
			t.Errorf("the AccessKeyID should stay visible: %s", text)
		}
	}
}

func TestHalfFilledCredentialsAreRefused(t *testing.T) {
	set, _ := NewClientSet(Options{})
	for _, c := range []Credentials{{AccessKeyID: "LTAIonly"}, {AccessKeySecret: "secret-only-value"}} {
		_, err := set.For(&c, "")
		if !apierr.Is(err, apierr.TerminalAuth) || strings.Contains(fmt.Sprint(err), "secret-only-value") {
			t.Errorf("For(%v) = %v, want a TerminalAuth error without the secret", c, err)
		}
	}
}

func TestTheCallersContextEndsTheCall(t *testing.T) {
	// The abandoned call goes on in the background until the per-call timeout; a short one
	// lets the test server close promptly.
	e := newTestEnv(t, alibabaiot.Options{}, Options{Timeout: 300 * time.Millisecond})
	if err := e.sim.SetFaults(alibabaiot.Faults{ActionDeleteProduct: {LatencyMs: 5000}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := e.client.DeleteProduct(ctx, "a1AAAAAAAAA")
	if !apierr.Is(err, apierr.Retryable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want a Retryable error wrapping the deadline", err)
	}

	cancelled, cancelNow := context.WithCancel(context.Background())
	cancelNow()
	e.sim.ClearCalls()
	if _, err := e.client.DeleteProduct(cancelled, "a1AAAAAAAAA"); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	if n := len(e.callsOf(ActionDeleteProduct)); n != 0 {
		t.Errorf("a cancelled context still made %d calls", n)
	}
}

func TestTheSDKNeverRetriesOnItsOwn(t *testing.T) {
	e := newTestEnv(t, alibabaiot.Options{}, Options{})
	for _, code := range []string{"ServiceUnavailable", "Throttling.User", "InternalError"} {
		e.sim.ClearCalls()
		if err := e.sim.SetFaults(alibabaiot.Faults{ActionDeleteProduct: {ErrorRate: 1, Code: code, Count: 1}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.client.DeleteProduct(context.Background(), "a1AAAAAAAAA"); err == nil {
			t.Fatalf("%s: no error", code)
		}
		if n := len(e.callsOf(ActionDeleteProduct)); n != 1 {
			t.Errorf("%s: %d calls reached the platform, want 1", code, n)
		}
	}
	e.sim.ClearCalls()
	if err := e.sim.SetFaults(alibabaiot.Faults{ActionDeleteProduct: {DropRate: 1, Count: 1}}); err != nil {
		t.Fatal(err)
	}
	_, _ = e.client.DeleteProduct(context.Background(), "a1AAAAAAAAA") // dropped: only the calls count
	if n := len(e.callsOf(ActionDeleteProduct)); n != 1 {
		t.Errorf("dropped connection: %d calls reached the platform, want 1", n)
	}
}

func TestThePlatformsQPSReachesTheEngineAsThrottled(t *testing.T) {
	now := time.Now()
	e := newTestEnv(t, alibabaiot.Options{
		QPS: map[string]int{ActionDeleteProduct: 2},
		Now: func() time.Time { return now }, // one 1-second window for the whole test
	}, Options{})
	var classes []apierr.Class
	for range 3 {
		_, err := e.client.DeleteProduct(context.Background(), "a1AAAAAAAAA")
		classes = append(classes, apierr.ClassOf(err))
	}
	if want := []apierr.Class{apierr.NotFound, apierr.NotFound, apierr.Throttled}; fmt.Sprint(classes) != fmt.Sprint(want) {
		t.Errorf("classes %v, want %v", classes, want)
	}
}

// Clients share the rate limits of their account, as STS GetCallerIdentity names it: RAM
// users of one account, and one key in several regions, spend from one budget; another
// account or another action has its own. A wrong secret sent with an account's AccessKeyId
// is refused before any product call and spends nothing of the account's budget.
func TestClientRateLimitsAreTheAccountsAndShared(t *testing.T) {
	e := newTestEnv(t, alibabaiot.Options{Accounts: []alibabaiot.Account{
		{AccessKeyID: simKeyID, AccessKeySecret: simSecret, UID: "1100000000000001"},
		{AccessKeyID: "LTAIsameAccount", AccessKeySecret: "same-account-secret", UID: "1100000000000001"},
		{AccessKeyID: "LTAIsecond", AccessKeySecret: "second-secret-value", UID: "1200000000000002"},
	}}, Options{QPS: map[string]float64{ActionDeleteProduct: 1}})
	a := e.client
	aElsewhere, _ := e.set.For(&Credentials{AccessKeyID: simKeyID, AccessKeySecret: simSecret}, "cn-beijing")
	ramUser, _ := e.set.For(&Credentials{AccessKeyID: "LTAIsameAccount", AccessKeySecret: "same-account-secret"}, "")
	wrongSecret, _ := e.set.For(&Credentials{AccessKeyID: simKeyID, AccessKeySecret: "not-the-secret-value"}, "")
	b, _ := e.set.For(&Credentials{AccessKeyID: "LTAIsecond", AccessKeySecret: "second-secret-value"}, "")
	chain, _ := e.set.For(nil, "")
	if aElsewhere == a || ramUser == a {
		t.Fatal("a region or credentials change should give other clients")
	}
	if chain.account != "default-chain" {
		t.Errorf("default chain account = %q", chain.account)
	}

	// At 1 call per second, the account's second call cannot start within 200ms: it is
	// Throttled by the client and never reaches the platform, whichever of the account's
	// keys or regions sends it. Another account is not held up, nor is it by a wrong secret.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := wrongSecret.DeleteProduct(ctx, "a1AAAAAAAAA"); !apierr.Is(err, apierr.TerminalAuth) {
		t.Fatalf("a wrong secret: %v, want the credentials refused", err)
	}
	if _, err := a.DeleteProduct(ctx, "a1AAAAAAAAA"); !apierr.Is(err, apierr.NotFound) {
		t.Fatalf("first call of the account: %v", err)
	}
	for name, c := range map[string]*Client{"the same key in another region": aElsewhere, "another RAM user of the account": ramUser} {
		if _, err := c.DeleteProduct(ctx, "a1AAAAAAAAA"); !apierr.Is(err, apierr.Throttled) {
			t.Errorf("%s: %v, want Throttled by the account's budget", name, err)
		}
	}
	if _, err := b.DeleteProduct(ctx, "a1AAAAAAAAA"); !apierr.Is(err, apierr.NotFound) {
		t.Errorf("another account: %v", err)
	}
	if n := len(e.callsOf(ActionDeleteProduct)); n != 2 {
		t.Errorf("%d DeleteProduct calls reached the platform, want 2", n)
	}
	if a.budget.current()[ActionQueryProduct] == a.budget.current()[ActionDeleteProduct] {
		t.Error("two actions share one limit")
	}
	// Each set of credentials asked STS once; the refused one is not asked again at once.
	if _, err := wrongSecret.DeleteProduct(context.Background(), "a1AAAAAAAAA"); !apierr.Is(err, apierr.TerminalAuth) {
		t.Errorf("a wrong secret, again: %v", err)
	}
	if n := len(e.callsOf(ActionGetCallerIdentity)); n != 5 {
		t.Errorf("%d GetCallerIdentity calls, want one per set of credentials and region (5)", n)
	}
}

// Where STS cannot answer (an endpoint that serves only the IoT API), a client keeps the
// budget of its own credentials and its calls go on.
func TestClientWithoutSTSKeepsItsCredentialsBudget(t *testing.T) {
	e := newTestEnv(t, alibabaiot.Options{}, Options{})
	if err := e.sim.SetFaults(alibabaiot.Faults{ActionGetCallerIdentity: {ErrorRate: 1, Code: "InvalidAction.NotFound", HTTPStatus: 404}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.DeleteProduct(context.Background(), "a1AAAAAAAAA"); !apierr.Is(err, apierr.NotFound) {
		t.Fatalf("a product call without STS: %v, want it made", err)
	}
	if _, err := e.client.DeleteProduct(context.Background(), "a1AAAAAAAAA"); !apierr.Is(err, apierr.NotFound) {
		t.Fatalf("a second call: %v", err)
	}
	if n := len(e.callsOf(ActionGetCallerIdentity)); n != 1 {
		t.Errorf("%d GetCallerIdentity calls within a minute, want 1", n)
	}
	own := (&Credentials{AccessKeyID: simKeyID, AccessKeySecret: simSecret}).budget()
	if e.client.budget.current()[ActionDeleteProduct] != e.set.limiters.get(own, ActionDeleteProduct) {
		t.Error("without an account from STS the client does not spend from its credentials' own budget")
	}
}

// A slow STS holds no caller past its own deadline, and the answer that comes later still
// serves the credentials.
func TestASlowSTSHoldsNoCallerPastItsDeadline(t *testing.T) {
	e := newTestEnv(t, alibabaiot.Options{}, Options{})
	if err := e.sim.SetFaults(alibabaiot.Faults{ActionGetCallerIdentity: {LatencyMs: 1000, Count: 1}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := e.client.DeleteProduct(ctx, "a1AAAAAAAAA"); err == nil || time.Since(start) > 500*time.Millisecond {
		t.Fatalf("a call with 100 ms left returned %v after %s; want its deadline's error at once", err, time.Since(start))
	}
	deadline := time.Now().Add(5 * time.Second)
	known := func() bool {
		b := e.client.budget
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.known
	}
	for !known() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := e.client.DeleteProduct(context.Background(), "a1AAAAAAAAA"); !apierr.Is(err, apierr.NotFound) {
		t.Errorf("the next call: %v", err)
	}
	if n := len(e.callsOf(ActionGetCallerIdentity)); n != 1 {
		t.Errorf("%d GetCallerIdentity calls, want the one the first caller started", n)
	}
}

func TestClientsAreCachedByCredentialsEndpointAndRegion(t *testing.T) {
	e := newTestEnv(t, alibabaiot.Options{Accounts: []alibabaiot.Account{{AccessKeyID: simKeyID, AccessKeySecret: "new-secret-after-rotation"}}}, Options{})
	old := Credentials{AccessKeyID: simKeyID, AccessKeySecret: simSecret}
	rotated := Credentials{AccessKeyID: simKeyID, AccessKeySecret: "new-secret-after-rotation"}

	c1, _ := e.set.For(&old, "")
	c2, _ := e.set.For(&Credentials{AccessKeyID: simKeyID, AccessKeySecret: simSecret}, "cn-shanghai")
	if c1 != c2 {
		t.Error("the same credentials and region should give the same client")
	}
	if c3, _ := e.set.For(&old, "cn-hangzhou"); c3 == c1 {
		t.Error("another region should give another client")
	}
	for k := range e.set.clients {
		if strings.Contains(fmt.Sprint(k), simSecret) || strings.Contains(fmt.Sprint(k), "new-secret-after-rotation") {
			t.Errorf("the cache key holds a secret: %v", k)
		}
	}

	// The platform now only knows the rotated secret: the old client fails, and the next
	// For with the Secret's new content works, without a restart.
	if _, err := c1.DeleteProduct(context.Background(), "a1AAAAAAAAA"); !apierr.Is(err, apierr.TerminalAuth) {
		t.Errorf("old secret: %v", err)
	}
	c4, _ := e.set.For(&rotated, "")
	if c4 == c1 {
		t.Fatal("a changed secret should give a new client")
	}
	if _, err := c4.DeleteProduct(context.Background(), "a1AAAAAAAAA"); !apierr.Is(err, apierr.NotFound) {
		t.Errorf("rotated secret: %v", err)
	}
}

func TestTheDefaultChainReadsTheEnvironment(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", simKeyID)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", simSecret)
	e := newTestEnv(t, alibabaiot.Options{}, Options{})
	c, err := e.set.For(nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if zero, _ := e.set.For(&Credentials{}, ""); zero != c {
		t.Error("nil and zero credentials should both be the default chain")
	}
	if _, err := c.DeleteProduct(context.Background(), "a1AAAAAAAAA"); !apierr.Is(err, apierr.NotFound) {
		t.Errorf("default chain call: %v", err)
	}
	if got := e.callsOf(ActionDeleteProduct); len(got) != 1 || got[0].AccessKeyID != simKeyID {
		t.Errorf("call log %+v", got)
	}
}

func TestEndpoints(t *testing.T) {
	tests := []struct {
		endpoint, region string
		wantHost         string
		wantProtocol     string
		wantErr          bool
	}{
		{"http://127.0.0.1:18080", "cn-shanghai", "127.0.0.1:18080", "HTTP", false},
		{"https://iot.cn-shanghai.aliyuncs.com/", "cn-shanghai", "iot.cn-shanghai.aliyuncs.com", "HTTPS", false},
		{"iot.cn-beijing.aliyuncs.com", "cn-beijing", "iot.cn-beijing.aliyuncs.com", "HTTPS", false},
		{"", "ap-southeast-1", "iot.ap-southeast-1.aliyuncs.com", "HTTPS", false},
		{"ftp://127.0.0.1", "", "", "", true},
		{"http://127.0.0.1:18080/v1/", "", "", "", true},
		{"http://127.0.0.1:18080/?x=1", "", "", "", true},
		{"http://", "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint, func(t *testing.T) {
			set, err := NewClientSet(Options{Endpoint: tt.endpoint})
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			got := set.endpointFor(tt.region)
			if got.host != tt.wantHost || got.protocol != tt.wantProtocol {
				t.Errorf("endpoint = %+v, want %s %s", got, tt.wantProtocol, tt.wantHost)
			}
		})
	}
}

// However many credentials come and go (temporary ones rotated, made-up keys), the buckets
// kept stay bounded.
func TestClientRateLimitBucketsStayBoundedThroughRotations(t *testing.T) {
	l := newLimiters(nil)
	for i := range 10000 {
		creds := &Credentials{AccessKeyID: fmt.Sprintf("STS.rotated%05d", i), AccessKeySecret: "s"}
		l.forAccount(creds.budget())
	}
	if n, limit := l.buckets.Len(), maxBudgets*(len(Actions)+1); n > limit {
		t.Errorf("%d buckets kept after 10,000 rotations, want at most %d", n, limit)
	}
}
