package flipsnack

import "time"

// slidingWindow admits at most limit calls in any span-long interval (t-span, t], exactly as the
// documentation states the limits ("5 calls per second and 60 per minute"). A fixed window
// (calendar seconds or minutes) would be more lenient; the real platform's kind is unverified, and
// a client that passes the stricter sliding window passes either.
type slidingWindow struct {
	limit int
	span  time.Duration
	times []time.Time // admitted calls within span, ascending
}

// full reports whether a call at now would exceed the window, after forgetting old calls.
func (w *slidingWindow) full(now time.Time) bool {
	cut := now.Add(-w.span)
	i := 0
	for i < len(w.times) && !w.times[i].After(cut) {
		i++
	}
	w.times = w.times[i:]
	return len(w.times) >= w.limit
}

// accountLimits holds one account's windows; nil windows are unlimited.
type accountLimits struct {
	second, minute *slidingWindow
}

func (s *Server) limitsFor(account string) *accountLimits {
	l, ok := s.limits[account]
	if !ok {
		l = &accountLimits{}
		if s.perSecond > 0 {
			l.second = &slidingWindow{limit: s.perSecond, span: time.Second}
		}
		if s.perMinute > 0 {
			l.minute = &slidingWindow{limit: s.perMinute, span: time.Minute}
		}
		s.limits[account] = l
	}
	return l
}

// admit charges an authenticated call at now to its account, or answers 31 or 32 (the per-second
// limit checked first). Only admitted calls are counted: whether the real platform also counts
// the calls it refuses is unverified, and counting them would let a client that retries too
// eagerly lock itself out for good, which the tests would then mistake for a client bug.
// The caller holds s.mu, so the times appended are ascending.
func (l *accountLimits) admit(now time.Time) int {
	if l.second != nil && l.second.full(now) {
		return CodePerSecondLimit
	}
	if l.minute != nil && l.minute.full(now) {
		return CodePerMinuteLimit
	}
	if l.second != nil {
		l.second.times = append(l.second.times, now)
	}
	if l.minute != nil {
		l.minute.times = append(l.minute.times, now)
	}
	return 0
}
