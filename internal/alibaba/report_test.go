package alibaba

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/prodlife/product-lifecycle-operator/internal/logtest"
	"github.com/prodlife/product-lifecycle-operator/internal/metrics"
	"github.com/prodlife/product-lifecycle-operator/internal/metrics/metricstest"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

const (
	stsKeyID  = "STS.LTAI5tTemporaryKey01"
	stsSecret = "StsSecret-0002-qrstuvwxyz"
	stsToken  = "CAIS-security-token-0003-abcdefghij"
	badSecret = "Wrong-Secret-0004-klmnopqrstuv"
)

// Every call logs one line that an operator can search by object, action, code or RequestId,
// and no credential ever appears in the logs, whatever the platform answers.
func TestEveryCallLogsOneLineWithoutSecrets(t *testing.T) {
	sim := alibabaiot.New(alibabaiot.Options{
		AccessKeyID: simKeyID, AccessKeySecret: simSecret, QPS: unlimitedSimQPS(),
		Accounts: []alibabaiot.Account{{AccessKeyID: stsKeyID, AccessKeySecret: stsSecret, SecurityToken: stsToken}},
	})
	// Keep every signature the client sends, to make sure none is logged.
	var mu sync.Mutex
	var signatures []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, sig, ok := strings.Cut(r.Header.Get("Authorization"), "Signature="); ok {
			mu.Lock()
			signatures = append(signatures, sig)
			mu.Unlock()
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	set, err := NewClientSet(Options{Endpoint: srv.URL, QPS: unlimitedQPS(), Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	client, err := set.For(&Credentials{AccessKeyID: simKeyID, AccessKeySecret: simSecret}, "")
	if err != nil {
		t.Fatal(err)
	}
	sts, err := set.For(&Credentials{AccessKeyID: stsKeyID, AccessKeySecret: stsSecret, SecurityToken: stsToken}, "")
	if err != nil {
		t.Fatal(err)
	}
	wrong, err := set.For(&Credentials{AccessKeyID: simKeyID, AccessKeySecret: badSecret}, "")
	if err != nil {
		t.Fatal(err)
	}
	// Each set of credentials learns its account (STS GetCallerIdentity, logged like any call)
	// before its first product call: done here, so that each case below is one call.
	for _, c := range []*Client{client, sts} {
		if _, _, err := c.QueryProductList(context.Background(), 1, 1); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name     string
		call     func(ctx context.Context) (requestID string, err error)
		action   string
		wantCode string
	}{
		{"a product is created", func(ctx context.Context) (string, error) {
			_, id, err := client.CreateProduct(ctx, CreateProductInput{ProductName: "logged_product"})
			return id, err
		}, ActionCreateProduct, "OK"},
		{"a product is not there", func(ctx context.Context) (string, error) {
			return client.DeleteProduct(ctx, "a1NoSuchKey")
		}, ActionDeleteProduct, "iot.prod.NotExistedProduct"},
		{"STS credentials list products", func(ctx context.Context) (string, error) {
			_, id, err := sts.QueryProductList(ctx, 1, 10)
			return id, err
		}, ActionQueryProductList, "OK"},
		// Refused when the client asks for its account: the product call is never sent.
		{"the secret is wrong", func(ctx context.Context) (string, error) {
			return wrong.DeleteProduct(ctx, "a1NoSuchKey")
		}, ActionGetCallerIdentity, "SignatureDoesNotMatch"},
		{"the platform does not answer in time", func(ctx context.Context) (string, error) {
			if err := sim.SetFaults(alibabaiot.Faults{ActionQueryProduct: {LatencyMs: 2000}}); err != nil {
				t.Fatal(err)
			}
			defer sim.ClearFaults()
			_, id, err := client.QueryProduct(ctx, "a1NoSuchKey")
			return id, err
		}, ActionQueryProduct, "timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			requestID, _ := tt.call(logtest.ReconcileContext(&buf, "IoTProduct", "team-a", "sensor"))

			lines := logtest.Lines(t, &buf)
			if len(lines) != 1 {
				t.Fatalf("%d log lines, want 1:\n%s", len(lines), buf.String())
			}
			line := lines[0]
			for key, want := range map[string]any{
				"msg": "external call", "platform": "alibaba", "action": tt.action, "code": tt.wantCode,
				"requestId": requestID, "reconcileID": "r-1",
			} {
				if line[key] != want {
					t.Errorf("%s = %v, want %v\n%s", key, line[key], want, buf.String())
				}
			}
			if tt.wantCode != "timeout" && requestID == "" {
				t.Errorf("the platform answered, so the line should carry its RequestId\n%s", buf.String())
			}
			if obj, _ := line["IoTProduct"].(map[string]any); obj["name"] != "sensor" || obj["namespace"] != "team-a" {
				t.Errorf("the line does not name the object being reconciled: %s", buf.String())
			}
			if d, ok := line["duration"].(float64); !ok || d <= 0 {
				t.Errorf("duration = %v, want the call's duration in seconds", line["duration"])
			}
			for _, secret := range []string{simSecret, stsSecret, stsToken, badSecret} {
				if strings.Contains(buf.String(), secret) {
					t.Errorf("the log shows a secret: %s", buf.String())
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if len(signatures) == 0 {
				t.Fatal("no signed request reached the server")
			}
			for _, sig := range signatures {
				if strings.Contains(buf.String(), sig) {
					t.Errorf("the log shows a request signature: %s", buf.String())
				}
			}
		})
	}
}

// Every call is counted by its answer code, timed, and its rate-limit wait recorded, so a
// dashboard shows what the platform answers and how long calls queue on our side.
func TestEveryCallIsCountedByItsAnswerCode(t *testing.T) {
	tests := []struct {
		name     string
		fault    *alibabaiot.Fault // on DeleteProduct
		wantCode string
	}{
		{"the product is gone", nil, "iot.prod.NotExistedProduct"},
		{"the platform throttles", &alibabaiot.Fault{ErrorRate: 1, Code: "Throttling.User"}, "Throttling.User"},
		{"the connection drops", &alibabaiot.Fault{DropRate: 1}, "network_error"},
		{"no answer in time", &alibabaiot.Fault{LatencyMs: 2000}, "timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t, alibabaiot.Options{}, Options{Timeout: 200 * time.Millisecond})
			if tt.fault != nil {
				if err := e.sim.SetFaults(alibabaiot.Faults{ActionDeleteProduct: *tt.fault}); err != nil {
					t.Fatal(err)
				}
			}
			requests := metrics.ExternalRequests.WithLabelValues("alibaba", ActionDeleteProduct, tt.wantCode)
			before := testutil.ToFloat64(requests)
			timed := metricstest.HistogramCount(t, metrics.ExternalRequestDuration, "alibaba", ActionDeleteProduct)
			waited := metricstest.HistogramCount(t, metrics.RateLimiterWait, "alibaba", ActionDeleteProduct)

			_, _ = e.client.DeleteProduct(context.Background(), "a1NoSuchKey")

			if got := testutil.ToFloat64(requests) - before; got != 1 {
				t.Errorf("prodlife_external_requests_total{code=%q} grew by %v, want 1", tt.wantCode, got)
			}
			if got := metricstest.HistogramCount(t, metrics.ExternalRequestDuration, "alibaba", ActionDeleteProduct) - timed; got != 1 {
				t.Errorf("%d durations observed, want 1", got)
			}
			if got := metricstest.HistogramCount(t, metrics.RateLimiterWait, "alibaba", ActionDeleteProduct) - waited; got != 1 {
				t.Errorf("%d rate-limiter waits observed, want 1", got)
			}
		})
	}
}
