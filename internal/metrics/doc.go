// Package metrics holds the operator's own Prometheus metrics, registered on
// controller-runtime's metrics.Registry so the manager's /metrics endpoint serves them beside
// controller-runtime's reconcile, workqueue and client metrics:
//
//   - prodlife_external_requests_total{platform,action,code}: every request to a platform,
//     by its answer code (OK on success, the platform's documented error code, a transport
//     class, http_<status>, or "other" for anything else, so the label stays bounded);
//   - prodlife_external_request_duration_seconds{platform,action}: how long those took;
//   - prodlife_rate_limiter_wait_seconds{platform,action}: how long calls waited for the
//     client-side rate limit before being sent;
//   - prodlife_deletions_total{kind,result}: deletions of custom resources, by outcome;
//   - prodlife_objects{kind,state}: custom resources by the state their conditions report,
//     counted from the manager's cache at scrape time;
//   - prodlife_events_dropped_total{reason}: events recorded but never sent (internal/recorder).
package metrics
