package recorder

import (
	"context"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"github.com/prodlife/product-lifecycle-operator/internal/metrics"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/lru"
)

// key says which events are one event happening again: the same controller saying the same
// thing about the same object. Unlike client-go's, it holds the note and not the object's
// resourceVersion: a new message is news of its own, while a status write between two repeats
// of one failure does not make the second one news.
type key struct {
	eventType, action, reason, note string
	regarding, related              objectKey
}

type objectKey struct{ apiVersion, kind, namespace, name, uid string }

func objectKeyOf(ref *corev1.ObjectReference) objectKey {
	if ref == nil {
		return objectKey{}
	}
	return objectKey{ref.APIVersion, ref.Kind, ref.Namespace, ref.Name, string(ref.UID)}
}

func keyOf(ev *eventsv1.Event) key {
	return key{
		eventType: ev.Type, action: ev.Action, reason: ev.Reason, note: ev.Note,
		regarding: objectKeyOf(&ev.Regarding), related: objectKeyOf(ev.Related),
	}
}

type queued struct {
	key   key
	event *eventsv1.Event
}

// sent is what a shard remembers of an event it sent, to fold its repeats into it.
type sent struct {
	event   *eventsv1.Event // as sent, with Series once it repeated
	last    time.Time       // the last time it happened
	written int32           // the series count the API server has
}

func (s *sent) count() int32 {
	if s.event.Series == nil {
		return 1
	}
	return s.event.Series.Count
}

// shard owns its queue and its memory of recent events; only its goroutine touches them
// (but queuedBy, which the recorders that queue share with it).
type shard struct {
	sink  sink
	log   logr.Logger
	opts  Options
	queue chan queued
	// queuedBy counts each namespace's events in the queue: one namespace may hold at most a
	// quarter of it, so that its flood of events (its own failing resources, say) leaves room
	// for every other namespace's.
	mu       sync.Mutex
	queuedBy map[string]int
	recent   *lru.Cache
	// unwritten are the series whose count grew since it was last written.
	unwritten map[*sent]struct{}
	// evicted are series forgotten for room with a count still to write.
	evicted []*sent
}

func newShard(s sink, log logr.Logger, opts Options) *shard {
	sh := &shard{sink: s, log: log, opts: opts, queue: make(chan queued, opts.Queue), queuedBy: map[string]int{}, unwritten: map[*sent]struct{}{}}
	sh.recent = lru.NewWithEvictionFunc(opts.Remembered, func(_ lru.Key, v any) {
		if e := v.(*sent); e.count() > e.written {
			sh.evicted = append(sh.evicted, e)
		}
		delete(sh.unwritten, v.(*sent))
	})
	return sh
}

// drainFor is how long a stopping shard goes on sending what the last reconciles recorded,
// and drainIdle how long it waits for one more before it stops.
const (
	drainFor  = 5 * time.Second
	drainIdle = 500 * time.Millisecond
)

func (sh *shard) run(ctx context.Context) {
	// Sends outlive ctx by the drain, then end with it.
	sendCtx, cancelSends := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelSends()
	flush := sh.opts.Clock.NewTicker(sh.opts.FlushEvery)
	defer flush.Stop()
	for {
		select {
		case q := <-sh.queue:
			sh.dequeued(q)
			sh.record(sendCtx, q)
		case <-flush.C():
			sh.writeCounts(sendCtx)
		case <-ctx.Done():
			deadline := time.AfterFunc(drainFor, cancelSends)
			defer deadline.Stop()
			sh.drain(sendCtx)
			sh.writeCounts(sendCtx)
			return
		}
	}
}

// enqueue queues q unless its namespace holds its share of the queue or the queue is full,
// and says which; it never blocks.
func (sh *shard) enqueue(q queued) (dropped string) {
	ns := q.event.Namespace
	sh.mu.Lock()
	if sh.queuedBy[ns] >= max(1, sh.opts.Queue/4) {
		sh.mu.Unlock()
		return metrics.EventNamespaceShare
	}
	sh.queuedBy[ns]++
	sh.mu.Unlock()
	select {
	case sh.queue <- q:
		return ""
	default:
		sh.dequeued(q)
		return metrics.EventQueueFull
	}
}

// dequeued notes that q left the queue.
func (sh *shard) dequeued(q queued) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.queuedBy[q.event.Namespace]--; sh.queuedBy[q.event.Namespace] <= 0 {
		delete(sh.queuedBy, q.event.Namespace)
	}
}

func (sh *shard) drain(ctx context.Context) {
	idle := time.NewTimer(drainIdle)
	defer idle.Stop()
	for {
		select {
		case q := <-sh.queue:
			sh.dequeued(q)
			sh.record(ctx, q)
			idle.Reset(drainIdle)
		case <-idle.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// record sends a new event, or counts a repeat into the event it repeats: the first repeat is
// written at once (so the event shows it happened again), later ones every FlushEvery.
func (sh *shard) record(ctx context.Context, q queued) {
	now := sh.opts.Clock.Now()
	if v, ok := sh.recent.Get(q.key); ok {
		if e := v.(*sent); now.Sub(e.last) < sh.opts.FoldWindow {
			e.last = now
			if e.event.Series == nil {
				e.event.Series = &eventsv1.EventSeries{Count: 1}
			}
			e.event.Series.Count++
			e.event.Series.LastObservedTime = metav1.NewMicroTime(now)
			if e.event.Series.Count == 2 {
				sh.writeCount(ctx, e)
			} else {
				sh.unwritten[e] = struct{}{}
			}
			return
		}
	}
	if sh.create(ctx, q.event) {
		sh.recent.Add(q.key, &sent{event: q.event, last: now, written: 1})
		sh.writeEvicted(ctx)
	}
}

func (sh *shard) writeCounts(ctx context.Context) {
	for e := range sh.unwritten {
		delete(sh.unwritten, e)
		sh.writeCount(ctx, e)
	}
	sh.writeEvicted(ctx)
}

func (sh *shard) writeEvicted(ctx context.Context) {
	for len(sh.evicted) > 0 {
		e := sh.evicted[0]
		sh.evicted = sh.evicted[1:]
		sh.writeCount(ctx, e)
	}
	sh.evicted = nil
}

func (sh *shard) writeCount(ctx context.Context, e *sent) {
	if sh.patchSeries(ctx, e.event) {
		e.written = e.count()
	}
}
