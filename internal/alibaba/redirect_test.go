package alibaba

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
	"github.com/prodlife/product-lifecycle-operator/internal/egress"
	"github.com/prodlife/product-lifecycle-operator/internal/metrics"
)

// An endpoint that answers with a redirect gets an error saying the redirect was refused, and
// the address it points to receives nothing: neither the keys nor the signed request.
func TestARedirectIsRefusedAndNeverFollowed(t *testing.T) {
	var reached atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"RequestId":"stolen","Success":true}`))
	}))
	t.Cleanup(elsewhere.Close)
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, elsewhere.URL+"/", status)
		}))
		t.Cleanup(endpoint.Close)
		set, err := NewClientSet(Options{Endpoint: endpoint.URL, QPS: unlimitedQPS(), Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		client, err := set.For(&Credentials{AccessKeyID: simKeyID, AccessKeySecret: simSecret}, "")
		if err != nil {
			t.Fatal(err)
		}
		code := metrics.HTTPStatusCode(status)
		before := testutil.ToFloat64(metrics.ExternalRequests.WithLabelValues(Platform, ActionDeleteProduct, code))

		_, err = client.DeleteProduct(context.Background(), "a1AAAAAAAAA")

		var e *apierr.Error
		if !errors.As(err, &e) {
			t.Fatalf("HTTP %d: got %v, want an *apierr.Error", status, err)
		}
		var redirect *egress.RedirectError
		if !errors.As(err, &redirect) || e.HTTPStatus != status || !strings.Contains(err.Error(), "redirect refused") {
			t.Errorf("HTTP %d: got %q (status %d), want a refused redirect with that status", status, err, e.HTTPStatus)
		}
		if strings.Contains(err.Error(), simSecret) {
			t.Errorf("the error carries the secret: %s", err)
		}
		if got := testutil.ToFloat64(metrics.ExternalRequests.WithLabelValues(Platform, ActionDeleteProduct, code)) - before; got != 1 {
			t.Errorf("HTTP %d: %s counted %v times, want 1", status, code, got)
		}
	}
	if n := reached.Load(); n != 0 {
		t.Errorf("the redirect's target received %d requests, want none", n)
	}
}

// The endpoint flag takes https anywhere, but plain http only to a loopback host, where the
// simulators listen: anywhere else it would show the keys and signatures to the network.
func TestPlainHTTPEndpointOnlyOnLoopback(t *testing.T) {
	tests := []struct {
		endpoint string
		ok       bool
	}{
		{"https://iot.cn-shanghai.aliyuncs.com", true},
		{"iot.cn-shanghai.aliyuncs.com", true}, // a bare host is https
		{"http://127.0.0.1:18080", true},
		{"http://localhost:18080", true},
		{"http://[::1]:18080", true},
		{"http://iot.cn-shanghai.aliyuncs.com", false},
		{"http://192.168.1.10:18080", false},
		{"http://[2001:db8::1]:18080", false},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint, func(t *testing.T) {
			_, err := NewClientSet(Options{Endpoint: tt.endpoint})
			if (err == nil) != tt.ok {
				t.Fatalf("NewClientSet(%s): err = %v, want ok %v", tt.endpoint, err, tt.ok)
			}
			if err != nil && !strings.Contains(err.Error(), "use https") {
				t.Errorf("the error does not say what to do: %v", err)
			}
		})
	}
}
