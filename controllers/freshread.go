package controllers

import (
	"context"
	"sync"
	"time"
)

// freshRead shares one live read among the reconciles that need it at the same moment,
// without ever answering a caller with a read that began before the caller asked: each read
// serves exactly the callers that were waiting when it began, and at most one is in flight.
// A bulk deletion of thousands of objects then reads the kind's CRD a few times a second
// instead of once per object, and every answer is as fresh as a read of its own would be.
// The zero value is ready to use.
type freshRead[V any] struct {
	mu      sync.Mutex
	next    *readRound[V] // the callers waiting for the next read to begin
	running bool          // a goroutine is reading, or about to
}

type readRound[V any] struct {
	done chan struct{}
	v    V
	err  error
}

// freshReadTimeout bounds one shared read: it runs for many callers, on no caller's context.
const freshReadTimeout = 30 * time.Second

// get returns the result of a read that began after get was called. read runs on a context
// of its own, bounded by freshReadTimeout; ctx ending stops only this caller's wait.
func (f *freshRead[V]) get(ctx context.Context, read func(context.Context) (V, error)) (V, error) {
	f.mu.Lock()
	r := f.next
	if r == nil {
		r = &readRound[V]{done: make(chan struct{})}
		f.next = r
	}
	if !f.running {
		f.running = true
		go f.run(read)
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

// run reads once for each round that has callers waiting, until none is left.
func (f *freshRead[V]) run(read func(context.Context) (V, error)) {
	for {
		f.mu.Lock()
		r := f.next
		f.next = nil
		if r == nil {
			f.running = false
			f.mu.Unlock()
			return
		}
		f.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), freshReadTimeout)
		r.v, r.err = read(ctx)
		cancel()
		close(r.done)
	}
}
