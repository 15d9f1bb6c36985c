package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

// The reason label of EventsDropped.
const (
	// EventQueueFull: events came faster than the API server took them, and the recorder's
	// bounded queue had no room.
	EventQueueFull = "queue_full"
	// EventNamespaceShare: the event's namespace already held its share of the recorder's
	// queue (a quarter), so that one namespace's flood of events leaves room for the others'.
	EventNamespaceShare = "namespace_share"
	// EventUnreachable: the API server did not answer, after the recorder's retries.
	EventUnreachable = "unreachable"
	// EventRefused: the API server refused the event.
	EventRefused = "refused"
	// EventNamespaceTerminating: the event's namespace is being deleted, so the API server
	// takes no new object in it; expected while a namespace's resources are deleted with it.
	EventNamespaceTerminating = "namespace_terminating"
)

// EventsDropped counts the events the controllers recorded that never reached the API server.
var EventsDropped = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "prodlife_events_dropped_total",
	Help: "Events recorded but not sent, by reason: queue_full (they came faster than the API server took them), namespace_share (their namespace held its share of the queue), unreachable (the API server did not answer), refused (the API server refused the event), namespace_terminating (the namespace is being deleted).",
}, []string{"reason"})

func init() {
	ctrlmetrics.Registry.MustRegister(EventsDropped)
	for _, reason := range []string{EventQueueFull, EventNamespaceShare, EventUnreachable, EventRefused, EventNamespaceTerminating} {
		EventsDropped.WithLabelValues(reason)
	}
}

// RecordEventDropped counts one event that was not sent.
func RecordEventDropped(reason string) {
	EventsDropped.WithLabelValues(reason).Inc()
}
