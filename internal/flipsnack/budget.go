package flipsnack

import (
	"context"
	"sync"
	"time"
)

// budget is the rate budget of one apiKey, shared by every client, feed and goroutine using it.
// It is a set of exact sliding windows (by default 5 calls per second and 60 per minute).
//
// Why not a token bucket: a bucket of 60 tokens refilled at 1/s lets 60 calls through at once and
// another 60 during the next minute, so a single 60 s window can see ~120 calls and the platform
// answers 32. A sliding window admits a call only while fewer than `limit` calls touch the last
// `span`, which is exactly the platform's rule.
//
// Why windows count a call until it *completes* rather than from when it starts: the platform
// timestamps a call when it arrives, somewhere between our start and our completion. Counting each
// call as busy from its start until its end plus span makes the bound hold whatever the latency
// is. Take any interval W = (x-span, x] on the platform's clock and the call C in W that we
// admitted last (start s, arrival a <= x). Every other call D in W was admitted before C and
// arrived after x-span >= a-span >= s-span, so D completed after s-span: when C was admitted, D
// was either in flight or a completion not yet pruned, and was counted. C was admitted only with
// fewer than limit calls counted, so W holds at most limit calls. Latency costs a little throughput (a slot
// frees span after the answer instead of after the request), never a 31 or 32.
type budget struct {
	mu      sync.Mutex
	windows []*window
	// changed is closed and replaced whenever a call completes, to wake waiters blocked only by
	// calls in flight.
	changed chan struct{}
}

// window is one sliding window: at most limit calls in flight or completed within span.
type window struct {
	limit    int
	span     time.Duration
	inFlight int
	done     []time.Time // completion times not yet older than span, ascending
}

func newBudget(perSecond, perMinute int) *budget {
	b := &budget{changed: make(chan struct{})}
	if perSecond > 0 {
		b.windows = append(b.windows, &window{limit: perSecond, span: time.Second})
	}
	if perMinute > 0 {
		b.windows = append(b.windows, &window{limit: perMinute, span: time.Minute})
	}
	return b
}

// prune forgets completions that no longer touch the window ending now. A call that completed at
// e is outside the platform's window (now-span, now] once e <= now-span.
func (w *window) prune(now time.Time) {
	cut := now.Add(-w.span)
	i := 0
	for i < len(w.done) && !w.done[i].After(cut) {
		i++
	}
	w.done = w.done[i:]
}

// tryAcquire admits a call at now, or says when to look again. A zero wake means only a call in
// flight can free a slot.
func (b *budget) tryAcquire(now time.Time) (ok bool, wake time.Time) {
	ok, wake = b.check(now)
	if ok {
		for _, w := range b.windows {
			w.inFlight++
		}
	}
	return ok, wake
}

// check is tryAcquire without the admission.
func (b *budget) check(now time.Time) (ok bool, wake time.Time) {
	ok = true
	for _, w := range b.windows {
		w.prune(now)
		if w.inFlight+len(w.done) < w.limit {
			continue
		}
		ok = false
		if len(w.done) > 0 {
			if t := w.done[0].Add(w.span); t.After(wake) {
				wake = t
			}
		}
	}
	return ok, wake
}

// complete records that an admitted call finished at now.
func (b *budget) complete(now time.Time) {
	for _, w := range b.windows {
		w.inFlight--
		w.done = append(w.done, now)
	}
	close(b.changed)
	b.changed = make(chan struct{})
}

// tryNow admits a call now, or says how long until one may be admitted (a minimum when only
// calls in flight hold the budget). release is as acquire's.
func (b *budget) tryNow() (release func(), wait time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	if ok, wake := b.tryAcquire(now); !ok {
		return nil, waitUntil(now, wake)
	}
	return b.releaser(), 0
}

// wouldWait is the wait tryNow would answer, without admitting a call: 0 when one may go now.
func (b *budget) wouldWait() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	if ok, wake := b.check(now); !ok {
		return waitUntil(now, wake)
	}
	return 0
}

// waitUntil is how long from now to look again at a spent budget.
func waitUntil(now, wake time.Time) time.Duration {
	if wake.IsZero() {
		return inFlightWait
	}
	return max(wake.Sub(now), inFlightWait)
}

// releaser is the release of an admitted call: it records the completion once, however often
// it is called.
func (b *budget) releaser() func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			b.complete(time.Now())
		})
	}
}

// inFlightWait is when to look again at a budget that only calls in flight hold.
const inFlightWait = 200 * time.Millisecond

// acquire waits until a call may start, honouring ctx. The caller must call release exactly when
// the call has completed (answer read or transport failure).
func (b *budget) acquire(ctx context.Context) (release func(), err error) {
	for {
		b.mu.Lock()
		now := time.Now()
		ok, wake := b.tryAcquire(now)
		changed := b.changed
		b.mu.Unlock()
		if ok {
			return b.releaser(), nil
		}

		var timer *time.Timer
		var timeout <-chan time.Time
		if !wake.IsZero() {
			timer = time.NewTimer(wake.Sub(now))
			timeout = timer.C
		}
		select {
		case <-ctx.Done():
			err = ctx.Err()
		case <-timeout:
		case <-changed:
		}
		if timer != nil {
			timer.Stop()
		}
		if err != nil {
			return nil, err
		}
	}
}
