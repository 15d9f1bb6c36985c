package engine

import (
	"context"
	"sync"
	"time"
)

// freshRead shares one live read among the reconciles that need it at the same moment,
// without ever answering a caller with a read that began before the caller asked: each read
// serves exactly the callers that were waiting when it began, and at most one is in flight.
// A round may also wait a little for more callers before it reads (gathering): a bulk
// deletion marks its objects one after another, a few milliseconds apart, so without the
// wait nearly every deletion would read alone. The wait ends as soon as every worker is
// waiting, since no one else could join, so it never holds up a saturated controller.
// A bulk deletion of thousands of objects then reads the kind's CRD a few times a second
// instead of once per object, and every answer is as fresh as a read of its own would be.
// The zero value is ready to use.
type freshRead[V any] struct {
	mu      sync.Mutex
	next    *readRound[V] // the callers waiting for the next read to begin
	running bool          // a goroutine is reading, or about to
}

// gathering is how long a round waits for more callers before its read begins, and how
// many waiting callers end that wait at once (the controller's workers); the zero value
// reads at once.
type gathering struct {
	wait time.Duration
	full int
}

type readRound[V any] struct {
	done    chan struct{}
	callers int
	full    chan struct{} // closed once gathering.full callers wait
	v       V
	err     error
}

// freshReadTimeout bounds one shared read: it runs for many callers, on no caller's context.
const freshReadTimeout = 30 * time.Second

// get returns the result of a read that began after get was called. read runs on a context
// of its own, bounded by freshReadTimeout; ctx ending stops only this caller's wait.
func (f *freshRead[V]) get(ctx context.Context, g gathering, read func(context.Context) (V, error)) (V, error) {
	f.mu.Lock()
	r := f.next
	if r == nil {
		r = &readRound[V]{done: make(chan struct{}), full: make(chan struct{})}
		f.next = r
	}
	r.callers++
	if r.callers == g.full {
		close(r.full)
	}
	if !f.running {
		f.running = true
		go f.run(g, read)
	}
	f.mu.Unlock()
	select {
	case <-r.done:
		return r.v, r.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// run reads once for each round that has callers waiting, until none is left. A round stays
// open to new callers while it gathers; it is taken out of next just before its read
// begins, so every caller it answers asked before that.
func (f *freshRead[V]) run(g gathering, read func(context.Context) (V, error)) {
	for {
		f.mu.Lock()
		r := f.next
		if r == nil {
			f.running = false
			f.mu.Unlock()
			return
		}
		f.mu.Unlock()
		if g.wait > 0 {
			timer := time.NewTimer(g.wait)
			select {
			case <-timer.C:
			case <-r.full:
			}
			timer.Stop()
		}
		f.mu.Lock()
		f.next = nil
		f.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), freshReadTimeout)
		r.v, r.err = read(ctx)
		cancel()
		close(r.done)
	}
}
