package engine

import (
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
)

// releasedObjects remembers the objects whose finalizer this manager removed, for a while.
// The cache may still hold such an object, finalizer and all, when a reconcile of it comes
// (a watch event queued it just after the release): without this, that reconcile would delete
// its product on the platform a second time.
type releasedObjects struct {
	mu sync.Mutex
	at map[types.UID]time.Time
}

// releasedTTL is how long a release is remembered: far longer than the cache takes to see
// the object go, and short enough that the set stays small during a bulk deletion.
const releasedTTL = 5 * time.Minute

func (r *releasedObjects) add(uid types.UID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	if r.at == nil {
		r.at = map[types.UID]time.Time{}
	}
	for id, t := range r.at {
		if now.Sub(t) > releasedTTL {
			delete(r.at, id)
		}
	}
	r.at[uid] = now
}

func (r *releasedObjects) has(uid types.UID) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.at[uid]
	return ok && time.Since(t) <= releasedTTL
}
