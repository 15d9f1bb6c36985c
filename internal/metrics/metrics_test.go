package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

// The names, units and suffixes follow Prometheus' conventions, so they sit well beside
// controller-runtime's own metrics on the same endpoint.
func TestMetricsFollowPrometheusConventions(t *testing.T) {
	ObserveRequest("alibaba", "DeleteProduct", CodeOK, 20*time.Millisecond)
	ObserveRateLimiterWait("alibaba", "DeleteProduct", 0)
	RecordDeletion(KindIoTProduct, DeletionCompleted)
	problems, err := testutil.GatherAndLint(ctrlmetrics.Registry,
		"prodlife_external_requests_total", "prodlife_external_request_duration_seconds",
		"prodlife_rate_limiter_wait_seconds", "prodlife_deletions_total")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
	problems, err = testutil.CollectAndLint(NewObjectsCollector(fake.NewClientBuilder().WithScheme(kindScheme).Build()))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
}

type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

var _ net.Error = timeoutError{}

func TestTransportCodeNamesWhatWentWrong(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{context.Canceled, CodeCanceled},
		{fmt.Errorf("call abandoned: %w", context.Canceled), CodeCanceled},
		{context.DeadlineExceeded, CodeTimeout},
		{&url.Error{Op: "Post", URL: "http://x", Err: timeoutError{}}, CodeTimeout},
		{&url.Error{Op: "Post", URL: "http://x", Err: &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}}, CodeNetworkError},
		{errors.New("EOF"), CodeNetworkError},
	}
	for _, tt := range tests {
		if got := TransportCode(tt.err); got != tt.want {
			t.Errorf("TransportCode(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
	if got := HTTPStatusCode(503); got != "http_503" {
		t.Errorf("HTTPStatusCode(503) = %q", got)
	}
}

// The collector is on the manager's registry exactly while the manager runs it (on the
// leader), and a later manager in the same process can register a new one.
func TestObjectsCollectorIsRegisteredWhileRunning(t *testing.T) {
	registered := func() bool {
		n, err := testutil.GatherAndCount(ctrlmetrics.Registry, "prodlife_objects")
		if err != nil {
			t.Fatal(err)
		}
		return n > 0
	}
	c := NewObjectsCollector(fake.NewClientBuilder().WithScheme(kindScheme).Build())
	if !c.NeedLeaderElection() {
		t.Error("the collector should run on the leader only")
	}
	for round := 0; round < 2; round++ {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- c.Start(ctx) }()
		deadline := time.Now().Add(5 * time.Second)
		for !registered() && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if !registered() {
			t.Fatalf("round %d: prodlife_objects not served while the collector runs", round)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if registered() {
			t.Fatalf("round %d: prodlife_objects still served after the collector stopped", round)
		}
	}
}
