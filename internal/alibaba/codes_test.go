package alibaba

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/prodlife/product-lifecycle-operator/internal/metrics"
)

// A documented code is counted as itself; a code the documentation does not list is counted
// as "other", so an endpoint cannot grow the metrics by making codes up.
func TestUndocumentedCodesAreCountedAsOther(t *testing.T) {
	for code, want := range map[string]string{
		"iot.prod.NotExistedProduct":           "iot.prod.NotExistedProduct",
		"Throttling.User":                      "Throttling.User",
		"iot.prod.QueryProductListActionError": "iot.prod.QueryProductListActionError",
		"iot.prod.InventedActionError":         metrics.CodeOther,
		"iot.prod.Invented123":                 metrics.CodeOther,
		"Throttling.Invented":                  metrics.CodeOther,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"RequestId":"req-1","Success":false,"Code":"` + code + `","ErrorMessage":"no"}`))
		}))
		set, err := NewClientSet(Options{Endpoint: srv.URL, QPS: unlimitedQPS(), Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		client, err := set.For(&Credentials{AccessKeyID: simKeyID, AccessKeySecret: simSecret}, "")
		if err != nil {
			t.Fatal(err)
		}
		before := testutil.ToFloat64(metrics.ExternalRequests.WithLabelValues(Platform, ActionDeleteProduct, want))
		if _, err := client.DeleteProduct(context.Background(), "a1AAAAAAAAA"); err == nil {
			t.Fatalf("%s: want an error", code)
		}
		if got := testutil.ToFloat64(metrics.ExternalRequests.WithLabelValues(Platform, ActionDeleteProduct, want)) - before; got != 1 {
			t.Errorf("code %s: %q counted %v times, want 1", code, want, got)
		}
		srv.Close()
	}
}
