package flipsnack

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/prodlife/product-lifecycle-operator/internal/logtest"
	"github.com/prodlife/product-lifecycle-operator/internal/metrics"
	"github.com/prodlife/product-lifecycle-operator/internal/metrics/metricstest"
)

// answers replies with the given answers in turn (the last one repeats), and keeps the
// signature of every request it sees.
func answers(signatures *[]string, mu *sync.Mutex, replies ...func(w http.ResponseWriter)) http.HandlerFunc {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		*signatures = append(*signatures, r.PostForm.Get("signature"))
		mu.Unlock()
		i := min(int(n.Add(1))-1, len(replies)-1)
		replies[i](w)
	}
}

func jsonAnswer(status int, body string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// Every request logs one line that an operator can search by object, action or code, and no
// credential or signature ever appears in the logs, whatever the platform answers.
func TestEveryRequestLogsOneLineWithoutSecrets(t *testing.T) {
	ok := jsonAnswer(200, `{"code": 20, "status": "", "data": {"message": "done"}}`)
	tests := []struct {
		name      string
		replies   []func(w http.ResponseWriter)
		wantCodes []string // one line per request
	}{
		{"the products are created", []func(http.ResponseWriter){ok}, []string{"OK"}},
		{"the signature is refused", []func(http.ResponseWriter){jsonAnswer(200, `{"code": 44, "status": "Invalid signature"}`)}, []string{"44"}},
		{"the per-second limit answers, then the retry passes", []func(http.ResponseWriter){jsonAnswer(200, `{"code": 31, "status": "Too many requests"}`), ok}, []string{"31", "OK"}},
		{"the platform echoes the credentials", []func(http.ResponseWriter){jsonAnswer(200, `{"code": 41, "status": "Unknown apiKey `+testKey+` or secret `+testSecret+`"}`)}, []string{"41"}},
		{"a proxy answers with a page", []func(http.ResponseWriter){func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html>Bad Gateway</html>"))
		}}, []string{"http_502"}},
		{"no answer in time", []func(http.ResponseWriter){func(w http.ResponseWriter) {
			time.Sleep(300 * time.Millisecond)
			ok(w)
		}}, []string{"timeout"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var signatures []string
			c := stubClient(t, answers(&signatures, &mu, tt.replies...), func(o *Options) { o.Timeout = 100 * time.Millisecond })
			var buf bytes.Buffer
			_, _ = c.CreateProducts(logtest.ReconcileContext(&buf, "FlipsnackFeed", "team-a", "catalogue"), "feed-1", []json.RawMessage{json.RawMessage(`{"type":"product","code":"A"}`)})

			lines := logtest.Lines(t, &buf)
			if len(lines) != len(tt.wantCodes) {
				t.Fatalf("%d log lines, want %d:\n%s", len(lines), len(tt.wantCodes), buf.String())
			}
			for i, line := range lines {
				for key, want := range map[string]any{
					"msg": "external call", "platform": "flipsnack", "action": ActionCreate, "code": tt.wantCodes[i],
					"account": c.Account(), "reconcileID": "r-1",
				} {
					if line[key] != want {
						t.Errorf("line %d: %s = %v, want %v\n%s", i, key, line[key], want, buf.String())
					}
				}
				if obj, _ := line["FlipsnackFeed"].(map[string]any); obj["name"] != "catalogue" || obj["namespace"] != "team-a" {
					t.Errorf("line %d does not name the object being reconciled: %s", i, buf.String())
				}
				if d, ok := line["duration"].(float64); !ok || d <= 0 {
					t.Errorf("line %d: duration = %v, want the request's duration in seconds", i, line["duration"])
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for _, secret := range append([]string{testKey, testSecret}, signatures...) {
				if secret != "" && strings.Contains(buf.String(), secret) {
					t.Errorf("the log shows a credential or signature (%s): %s", secret, buf.String())
				}
			}
		})
	}
}

// Every request is counted by its answer code and timed, and every wait for the account's
// budget recorded, so a dashboard shows what the platform answers and how long calls queue.
func TestEveryRequestIsCountedByItsAnswerCode(t *testing.T) {
	var mu sync.Mutex
	var signatures []string
	c := stubClient(t, answers(&signatures, &mu,
		jsonAnswer(200, `{"code": 32, "status": "Too many requests per minute"}`),
		jsonAnswer(200, `{"code": 20, "status": ""}`)))
	throttled := metrics.ExternalRequests.WithLabelValues("flipsnack", ActionDelete, "32")
	succeeded := metrics.ExternalRequests.WithLabelValues("flipsnack", ActionDelete, "OK")
	before32, beforeOK := testutil.ToFloat64(throttled), testutil.ToFloat64(succeeded)
	timed := metricstest.HistogramCount(t, metrics.ExternalRequestDuration, "flipsnack", ActionDelete)
	waited := metricstest.HistogramCount(t, metrics.RateLimiterWait, "flipsnack", ActionDelete)

	if _, err := c.DeleteProducts(context.Background(), "feed-1", []string{"A", "B"}, nil); err != nil {
		t.Fatal(err)
	}

	if got := testutil.ToFloat64(throttled) - before32; got != 1 {
		t.Errorf("requests answered 32 grew by %v, want 1", got)
	}
	if got := testutil.ToFloat64(succeeded) - beforeOK; got != 1 {
		t.Errorf("requests answered OK grew by %v, want 1", got)
	}
	if got := metricstest.HistogramCount(t, metrics.ExternalRequestDuration, "flipsnack", ActionDelete) - timed; got != 2 {
		t.Errorf("%d durations observed, want 2 (one per request)", got)
	}
	if got := metricstest.HistogramCount(t, metrics.RateLimiterWait, "flipsnack", ActionDelete) - waited; got != 2 {
		t.Errorf("%d budget waits observed, want 2 (one per request)", got)
	}
}
