package flipsnack

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

const (
	testKey    = "45FD-267-7SG7832"
	testSecret = "123ABCDE-456-7890-FGH"
)

func newUnlimited(opts Options) *Server {
	if opts.APIKey == "" {
		opts.APIKey, opts.APISecret = testKey, testSecret
	}
	if opts.PerSecond == 0 {
		opts.PerSecond = Unlimited
	}
	if opts.PerMinute == 0 {
		opts.PerMinute = Unlimited
	}
	return New(opts)
}

// signed returns params with action, apiKey and a valid signature added.
func signed(action string, params map[string]string) map[string]string {
	out := map[string]string{"action": action, "apiKey": testKey}
	for k, v := range params {
		out[k] = v
	}
	out["signature"] = signature(testSecret, out)
	return out
}

// postForm sends params as an urlencoded form and decodes the answer.
func postForm(t *testing.T, s *Server, params map[string]string) answer {
	t.Helper()
	form := url.Values{}
	for k, v := range params {
		form.Set(k, v)
	}
	req := httptest.NewRequest(http.MethodPost, "/v1/", bytes.NewBufferString(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return serve(t, s, req)
}

// postMultipart sends params as curl -F does.
func postMultipart(t *testing.T, s *Server, path string, params map[string]string) answer {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range params {
		_ = mw.WriteField(k, v)
	}
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return serve(t, s, req)
}

func serve(t *testing.T, s *Server, req *http.Request) answer {
	t.Helper()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
	}
	var a answer
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
		t.Fatalf("answer %q: %v", rec.Body, err)
	}
	return a
}

func raws(items ...string) []json.RawMessage {
	out := make([]json.RawMessage, len(items))
	for i, s := range items {
		out[i] = json.RawMessage(s)
	}
	return out
}

// fakeClock drives the rate limits in tests without sleeping.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }
func newFakeClock() *fakeClock           { return &fakeClock{t: time.Unix(1_700_000_000, 0)} }
