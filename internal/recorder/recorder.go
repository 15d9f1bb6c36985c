// Package recorder sends the controllers' events to the API server (events.k8s.io/v1) within
// a fixed bound of memory and goroutines, whatever the number of objects or the rate of
// events the namespaces provoke.
//
// client-go's events library (k8s.io/client-go/tools/events, behind the manager's
// GetEventRecorder) starts a goroutine for every event and keeps a copy of every event it sent
// for 6 to 12 minutes, to fold repeats into a series. Its memory grows with the events of the
// last minutes: a bulk create of 10,000 objects held all 10,000 at once, and anyone who can
// make events faster (a patch loop on one's own resources) makes it grow faster. This
// recorder keeps the same folding of repeats, but remembers at most a fixed number of recent
// events and queues at most a fixed number, sent by a few goroutines; what does not fit is
// dropped and counted (prodlife_events_dropped_total), as client-go also drops what overflows
// its queue.
package recorder

import (
	"context"
	"fmt"
	"hash/maphash"
	"os"
	"time"
	"unicode/utf8"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	eventsv1client "k8s.io/client-go/kubernetes/typed/events/v1"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/tools/record/util"
	"k8s.io/client-go/tools/reference"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/prodlife/product-lifecycle-operator/internal/metrics"
)

// noteLimit is the API server's limit on an event's note: "Note is a human-readable
// description of the status of this operation. Maximal length of the note is 1kB"
// (k8s.io/api events/v1 Event.Note). A longer note is refused and the whole event lost, so
// the recorder cuts it instead.
const noteLimit = 1024

// Options bound the recorder. The zero value of a field takes its default.
type Options struct {
	// Shards is the number of goroutines sending, each with its own queue and memory of recent
	// events; an event always goes to the same shard as its repeats. Default 4.
	Shards int
	// Queue is how many events each shard holds while it sends. Default 256.
	Queue int
	// Remembered is how many recent events each shard remembers to fold repeats into.
	// Default 256: 1,024 over the default shards, about 0.7 MB. Most of the engine's notes
	// carry a RequestId of their own and never repeat; those that do (a failure retried with
	// the same answer) are few at a time.
	Remembered int
	// FoldWindow: a repeat within it of the last one counts into its series instead of making a
	// new event. Default 6 minutes, as client-go's.
	FoldWindow time.Duration
	// FlushEvery is how often a series' growing count is written. Default 1 minute.
	FlushEvery time.Duration
	// Clock is for tests.
	Clock clock.WithTicker
}

func (o Options) withDefaults() Options {
	if o.Shards <= 0 {
		o.Shards = 4
	}
	if o.Queue <= 0 {
		o.Queue = 256
	}
	if o.Remembered <= 0 {
		o.Remembered = 256
	}
	if o.FoldWindow <= 0 {
		o.FoldWindow = 6 * time.Minute
	}
	if o.FlushEvery <= 0 {
		o.FlushEvery = time.Minute
	}
	if o.Clock == nil {
		o.Clock = clock.RealClock{}
	}
	return o
}

// Recorder is an events.EventRecorder for one controller. It sends nothing until Start runs.
type Recorder struct {
	scheme     *runtime.Scheme
	controller string
	instance   string
	clock      clock.WithTicker
	log        logr.Logger
	seed       maphash.Seed
	shards     []*shard
}

var _ events.EventRecorder = (*Recorder)(nil)

// New makes the recorder of one controller (reportingController) and adds it to the manager,
// which starts it with the controllers and stops it with them.
func New(mgr ctrl.Manager, controller string, opts Options) (*Recorder, error) {
	cl, err := eventsv1client.NewForConfigAndClient(mgr.GetConfig(), mgr.GetHTTPClient())
	if err != nil {
		return nil, fmt.Errorf("events client: %w", err)
	}
	r := newRecorder(apiSink{cl}, mgr.GetScheme(), controller, mgr.GetLogger().WithName("events"), opts)
	if err := mgr.Add(r); err != nil {
		return nil, err
	}
	return r, nil
}

func newRecorder(s sink, scheme *runtime.Scheme, controller string, log logr.Logger, opts Options) *Recorder {
	opts = opts.withDefaults()
	hostname, _ := os.Hostname()
	r := &Recorder{
		scheme:     scheme,
		controller: controller,
		// The same reporting instance as client-go's recorder gives.
		instance: controller + "-" + hostname,
		clock:    opts.Clock,
		log:      log,
		seed:     maphash.MakeSeed(),
	}
	for range opts.Shards {
		r.shards = append(r.shards, newShard(s, log, opts))
	}
	return r
}

// Eventf records an event about regarding. It never blocks: when the event's shard is full,
// or holds its namespace's share, the event is dropped and counted.
func (r *Recorder) Eventf(regarding, related runtime.Object, eventType, reason, action, note string, args ...any) {
	ref, err := reference.GetReference(r.scheme, regarding)
	if err != nil {
		r.log.Error(err, "Not recording an event about an object without a reference", "reason", reason)
		return
	}
	var relatedRef *corev1.ObjectReference
	if related != nil {
		if relatedRef, err = reference.GetReference(r.scheme, related); err != nil {
			r.log.V(1).Info("Recording an event without its related object", "reason", reason, "error", err.Error())
		}
	}
	now := r.clock.Now()
	ev := &eventsv1.Event{
		ObjectMeta: metav1.ObjectMeta{
			Name:      util.GenerateEventName(ref.Name, now.UnixNano()),
			Namespace: ref.Namespace,
		},
		EventTime:           metav1.NewMicroTime(now),
		ReportingController: r.controller,
		ReportingInstance:   r.instance,
		Action:              action,
		Reason:              reason,
		Regarding:           *ref,
		Related:             relatedRef,
		Note:                cut(fmt.Sprintf(note, args...), noteLimit),
		Type:                eventType,
	}
	if ev.Namespace == "" {
		ev.Namespace = metav1.NamespaceDefault
	}
	r.log.V(1).Info(ev.Note, "type", eventType, "object", ref, "reason", reason)
	k := keyOf(ev)
	s := r.shards[maphash.Comparable(r.seed, k)%uint64(len(r.shards))]
	if dropped := s.enqueue(queued{key: k, event: ev}); dropped != "" {
		metrics.RecordEventDropped(dropped)
	}
}

// Start sends events until ctx ends, then sends what is still queued, for at most a few
// seconds, so the events of the last reconciles are not lost with a stopping manager.
func (r *Recorder) Start(ctx context.Context) error {
	done := make(chan struct{}, len(r.shards))
	for _, s := range r.shards {
		go func() { s.run(ctx); done <- struct{}{} }()
	}
	for range r.shards {
		<-done
	}
	return nil
}

// NeedLeaderElection: only the controllers record events, so the recorder runs where they
// run, and stops with them (the manager stops its other runnables before its controllers).
func (r *Recorder) NeedLeaderElection() bool { return true }

// cut shortens s to at most limit bytes without splitting a character.
func cut(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	const ellipsis = "…"
	end := limit - len(ellipsis)
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return s[:end] + ellipsis
}
