package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

// ExternalRequests counts the calls to a platform by their answer code, each once it has passed
// the client-side rate limit. A client that retries inside one call (Flipsnack's 31 and 32
// answers) counts every attempt, as the platform does.
var ExternalRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "prodlife_external_requests_total",
	Help: "Requests to an external platform's API, by platform, action and answer code: OK, the platform's error code (e.g. Throttling.User, iot.prod.NotExistedProduct, 31, 44), or what kept an answer from arriving or being read (timeout, canceled, network_error, invalid_response, http_<status>); other for a code the platform does not document.",
}, []string{"platform", "action", "code"})

// ExternalRequestDuration is how long a request took from sending to its answer (or its
// failure), without the client-side rate-limit wait, which RateLimiterWait shows.
var ExternalRequestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
	Name: "prodlife_external_request_duration_seconds",
	Help: "Time from sending a request to an external platform to its answer, by platform and action.",
	// Up to the Flipsnack client's 30 s timeout.
	Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
}, []string{"platform", "action"})

// RateLimiterWait is how long calls waited for the client-side rate limit of their account.
// Calls that did not wait are observed too (as 0), so the count is the number of calls and
// the lowest bucket shows how many went straight through.
var RateLimiterWait = prometheus.NewHistogramVec(prometheus.HistogramOpts{
	Name: "prodlife_rate_limiter_wait_seconds",
	Help: "Time a call waited for the client-side rate limit of its platform account, by platform and action.",
	// Flipsnack's per-minute budget can hold a call for up to a minute.
	Buckets: []float64{0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
}, []string{"platform", "action"})

func init() {
	ctrlmetrics.Registry.MustRegister(ExternalRequests, ExternalRequestDuration, RateLimiterWait)
}

// ObserveRequest records one request sent to a platform: its answer code and how long it took.
// A code the platform does not document is counted as CodeOther (see there).
func ObserveRequest(platform, action, code string, took time.Duration) {
	ExternalRequests.WithLabelValues(platform, action, boundedCode(platform, code)).Inc()
	ExternalRequestDuration.WithLabelValues(platform, action).Observe(took.Seconds())
}

// ObserveRateLimiterWait records how long a call waited for its account's client-side rate
// limit, whether or not it was then sent.
func ObserveRateLimiterWait(platform, action string, waited time.Duration) {
	RateLimiterWait.WithLabelValues(platform, action).Observe(waited.Seconds())
}
