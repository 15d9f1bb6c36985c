package flipsnack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
)

// Every documented code, as each action's caller sees it. Throttling and maintenance are waited
// out inside the client; here the retry budget is zero so their class shows.
func TestErrorClassesForEveryCode(t *testing.T) {
	tests := []struct {
		name      string
		action    string
		code      string // sent as a JSON number unless quoted
		status    string
		errs      []string
		wantClass apierr.Class // "" means success
		wantCode  string
	}{
		{"20 ok", ActionDelete, `20`, "", nil, "", ""},
		{"20 ok as string", ActionCreate, `"20"`, "", nil, "", ""},
		{"22 maintenance", ActionCreate, `22`, "Service under maintenance", nil, apierr.Retryable, "22"},
		{"30 missing parameter", ActionDelete, `30`, "Missing mandatory parameter", []string{"Products hashes parameter is missing"}, apierr.TerminalInput, "30"},
		{"31 per-second limit", ActionDelete, `31`, "Requests per second limit exceeded", nil, apierr.Throttled, "31"},
		{"32 per-minute limit", ActionUpdate, `"32"`, "Requests per minute limit exceeded", nil, apierr.Throttled, "32"},
		{"40 invalid data on create", ActionCreate, `40`, "Invalid data", []string{"product 0: type is missing"}, apierr.TerminalInput, "40"},
		{"40 already exists on create", ActionCreate, `40`, "Invalid data", []string{"product A already exists in this source"}, apierr.AlreadyExists, "40"},
		{"40 invalid data on delete", ActionDelete, `40`, "Invalid data", []string{"SKU A: duplicate in request"}, apierr.TerminalInput, "40"},
		{"40 source not found on delete", ActionDelete, `40`, "Source not found", nil, "", ""},
		{"40 no products found on delete", ActionDelete, `"40"`, "No products found", nil, "", ""},
		{"40 source not found on update", ActionUpdate, `40`, "Source not found", nil, apierr.NotFound, "40"},
		{"40 product not found on update", ActionUpdate, `40`, "Product not found", []string{"product A not found in this source"}, apierr.NotFound, "40"},
		{"40 not found text on create stays input", ActionCreate, `40`, "Source not found", nil, apierr.TerminalInput, "40"},
		{"41 invalid credentials", ActionDelete, `41`, "Invalid credentials", nil, apierr.TerminalAuth, "41"},
		{"42 invalid action", ActionUpdate, `42`, "Invalid action", nil, apierr.TerminalInput, "42"},
		{"43 forbidden", ActionCreate, `43`, "Forbidden", nil, apierr.TerminalAuth, "43"},
		{"44 invalid signature", ActionDelete, `"44"`, "Invalid signature", nil, apierr.TerminalAuth, "44"},
		{"51 for a single product", ActionCreate, `51`, "Too many products", nil, apierr.TerminalInput, "51"},
		{"undocumented code", ActionDelete, `99`, "Unexpected error", nil, apierr.Retryable, "99"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errsJSON, _ := json.Marshal(tt.errs)
			body := fmt.Sprintf(`{"code": %s, "status": %q, "data": {"message": "", "errors": %s}}`, tt.code, tt.status, errsJSON)
			c := stubClient(t, answerWith(200, body), func(o *Options) { o.MaxRetryWait = time.Nanosecond })
			err := runOne(c, tt.action)
			if tt.wantClass == "" {
				if err != nil {
					t.Fatalf("want success, got %v", err)
				}
				return
			}
			var e *apierr.Error
			if !errors.As(err, &e) {
				t.Fatalf("want *apierr.Error, got %T %v", err, err)
			}
			if e.Class != tt.wantClass || e.Code != tt.wantCode || e.Platform != Platform || e.Action != tt.action || e.HTTPStatus != 200 {
				t.Fatalf("got class %s code %s platform %s action %s http %d, want %s %s", e.Class, e.Code, e.Platform, e.Action, e.HTTPStatus, tt.wantClass, tt.wantCode)
			}
			if tt.status != "" && !strings.Contains(e.Message, tt.status) {
				t.Fatalf("message %q lacks the status text %q", e.Message, tt.status)
			}
			for _, s := range tt.errs {
				if !strings.Contains(e.Message, s) {
					t.Fatalf("message %q lacks data.errors entry %q", e.Message, s)
				}
			}
		})
	}
}

// runOne calls action with one product or SKU.
func runOne(c *Client, action string) error {
	ctx := context.Background()
	p := []json.RawMessage{json.RawMessage(`{"type":"product","code":"A","title":"x"}`)}
	var err error
	switch action {
	case ActionCreate:
		_, err = c.CreateProducts(ctx, "feed-1", p)
	case ActionUpdate:
		_, err = c.UpdateProducts(ctx, "feed-1", p)
	case ActionDelete:
		_, err = c.DeleteProducts(ctx, "feed-1", []string{"A"}, nil)
	}
	return err
}

// Answers without the API's JSON are classified by their HTTP status.
func TestErrorClassesForHTTPAnswers(t *testing.T) {
	tests := []struct {
		status int
		body   string
		want   apierr.Class
	}{
		{502, "<html>Bad Gateway</html>", apierr.Retryable},
		{503, "", apierr.Retryable},
		{500, "oops", apierr.Retryable},
		{429, "slow down", apierr.Throttled},
		{403, "denied", apierr.TerminalAuth},
		{401, "who are you", apierr.TerminalAuth},
		{404, "no such page", apierr.TerminalInput},
		{200, "<html>captive portal</html>", apierr.Retryable},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			c := stubClient(t, answerWith(tt.status, tt.body), func(o *Options) { o.MaxRetryWait = time.Nanosecond })
			err := runOne(c, ActionDelete)
			var e *apierr.Error
			if !errors.As(err, &e) || e.Class != tt.want || e.HTTPStatus != tt.status {
				t.Fatalf("got %#v, want class %s with HTTP %d", err, tt.want, tt.status)
			}
		})
	}
}

// A 31, 32 or 22 is waited out: the caller sees success.
func TestRetriesThrottlingAndMaintenance(t *testing.T) {
	for _, code := range []string{"31", "32", "22", "429"} {
		t.Run(code, func(t *testing.T) {
			var n atomic.Int32
			c := stubClient(t, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) <= 2 {
					if code == "429" {
						w.WriteHeader(http.StatusTooManyRequests)
						return
					}
					_, _ = fmt.Fprintf(w, `{"code": %s, "status": "wait"}`, code)
					return
				}
				_, _ = w.Write([]byte(`{"code": 20, "status": "", "data": {"message": "ok", "errors": []}}`))
			})
			if err := runOne(c, ActionDelete); err != nil {
				t.Fatalf("want success after two %s answers, got %v", code, err)
			}
			if n.Load() != 3 {
				t.Fatalf("calls = %d, want 3", n.Load())
			}
		})
	}
}

// A wait for a retry ends with the context.
func TestRetryWaitHonoursContext(t *testing.T) {
	c := stubClient(t, answerWith(200, `{"code": 32}`), func(o *Options) {
		o.RetryBase = time.Hour
		o.MaxRetryWait = 100 * time.Hour
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(20 * time.Millisecond)
		cancel()
	}()
	_, err := c.DeleteProducts(ctx, "feed-1", []string{"A"}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}

// Network failures are Retryable with no HTTP status, and are not retried inside the client
// (a create that may have reached the platform must not be sent twice blindly).
func TestNetworkErrorIsRetryable(t *testing.T) {
	c := NewClientSet(Options{Endpoint: "http://127.0.0.1:1/v1/", PerSecond: Unlimited, PerMinute: Unlimited}).For(testKey, testSecret)
	err := runOne(c, ActionCreate)
	var e *apierr.Error
	if !errors.As(err, &e) || e.Class != apierr.Retryable || e.HTTPStatus != 0 || e.Err == nil {
		t.Fatalf("got %#v, want Retryable transport error", err)
	}
}

// The apiKey and the secret never appear in an error or in a printed client, even when the
// platform echoes them back.
func TestSecretsNeverInErrorsOrPrintouts(t *testing.T) {
	echo := func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		_, _ = fmt.Fprintf(w, `{"code": 41, "status": "Invalid credentials for %s", "data": {"errors": ["secret was %s", "%s"]}}`,
			r.Form.Get("apiKey"), testSecret, r.Form.Get("signature"))
	}
	c := stubClient(t, echo)
	var texts []string
	for _, action := range []string{ActionCreate, ActionUpdate, ActionDelete} {
		err := runOne(c, action)
		if err == nil {
			t.Fatal("want an error")
		}
		texts = append(texts, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
	}
	texts = append(texts, fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), c.Account())

	unreadable := stubClient(t, func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.WriteHeader(500)
		_, _ = fmt.Fprintf(w, "upstream said %s / %s", r.Form.Get("apiKey"), testSecret)
	})
	err := runOne(unreadable, ActionDelete)
	texts = append(texts, err.Error(), fmt.Sprintf("%#v", err))

	down := NewClientSet(Options{Endpoint: "http://127.0.0.1:1/v1/"}).For(testKey, testSecret)
	err = runOne(down, ActionDelete)
	texts = append(texts, err.Error(), fmt.Sprintf("%#v", err))

	for _, text := range texts {
		if strings.Contains(text, testKey) || strings.Contains(text, testSecret) {
			t.Fatalf("credentials leaked: %s", text)
		}
	}
}

// A caller whose deadline comes before the wait would end gets the throttling error at once.
func TestThrottledWhenDeadlineTooShortToWait(t *testing.T) {
	c := stubClient(t, answerWith(200, `{"code": 32, "status": "Requests per minute limit exceeded"}`), func(o *Options) {
		o.RetryBase = time.Hour
		o.MaxRetryWait = 100 * time.Hour
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := c.DeleteProducts(ctx, "feed-1", []string{"A"}, nil)
	if !apierr.Is(err, apierr.Throttled) {
		t.Fatalf("got %v, want Throttled", err)
	}
}
