package engine

import (
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
)

// recentObjects remembers objects for a while. The engine remembers those whose finalizer
// this manager removed: the cache may still hold such an object, finalizer and all, when a
// reconcile of it comes (a watch event queued it just after the release), and without this
// that reconcile would delete its product on the platform a second time.
type recentObjects struct {
	mu    sync.Mutex
	at    map[types.UID]time.Time
	swept time.Time // when the entries older than recentTTL were last removed
}

// recentTTL is how long an object is remembered: far longer than the cache takes to see
// a released object go, and short enough that the set stays small during a bulk deletion.
const recentTTL = 5 * time.Minute

func (r *recentObjects) add(uid types.UID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	if r.at == nil {
		r.at = map[types.UID]time.Time{}
	}
	// The old go once a minute, not at every add: a bulk deletion of thousands adds as many.
	if now.Sub(r.swept) > time.Minute {
		for id, t := range r.at {
			if now.Sub(t) > recentTTL {
				delete(r.at, id)
			}
		}
		r.swept = now
	}
	r.at[uid] = now
}

func (r *recentObjects) has(uid types.UID) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.at[uid]
	return ok && time.Since(t) <= recentTTL
}
