package alibabaiot

import (
	"sync"
	"time"
)

// windowLimiter counts calls per account and action in 1-second windows, the way the platform's
// documented "N queries per second per account" reads: the N+1th call within the same second
// is throttled, whichever RAM user of the account makes it.
type windowLimiter struct {
	mu      sync.Mutex
	windows map[limitKey]*window
}

type limitKey struct{ account, action string }

type window struct {
	second int64
	count  int
}

func (l *windowLimiter) init() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.windows = map[limitKey]*window{}
}

// allow counts one call and reports whether it is within limit; limit <= 0 is unlimited.
func (l *windowLimiter) allow(account, action string, limit int, now time.Time) bool {
	if limit <= 0 {
		return true
	}
	sec := now.Unix()
	l.mu.Lock()
	defer l.mu.Unlock()
	k := limitKey{account, action}
	w, ok := l.windows[k]
	if !ok {
		w = &window{}
		l.windows[k] = w
	}
	if w.second != sec {
		w.second, w.count = sec, 0
	}
	if w.count >= limit {
		return false
	}
	w.count++
	return true
}
