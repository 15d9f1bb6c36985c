package flipsnack

import (
	"testing"
	"time"
)

// The documented limits, as sliding windows per account, driven by a fake clock.
func TestRateLimitsSlidingWindows(t *testing.T) {
	clock := newFakeClock()
	s := New(Options{APIKey: testKey, APISecret: testSecret, Accounts: map[string]string{"k2": "s2"}})
	s.now = clock.now
	// An unknown action is authenticated and admitted, then answered 42: it costs a call.
	call := func() int { return postForm(t, s, signed("products.nothing", nil)).Code }

	// Calls that fail the checks before the limiter (here the signature) are not charged.
	for range 10 {
		bad := signed("products.nothing", nil)
		bad["signature"] = "0"
		if code := postForm(t, s, bad).Code; code != CodeBadSignature {
			t.Fatalf("bad signature: %d", code)
		}
	}
	for i := range 5 {
		if code := call(); code != CodeInvalidAction {
			t.Fatalf("call %d: %d", i, code)
		}
	}
	if code := call(); code != CodePerSecondLimit {
		t.Fatalf("6th call within a second: %d, want 31", code)
	}
	clock.add(999 * time.Millisecond)
	if code := call(); code != CodePerSecondLimit {
		t.Fatalf("still within the second: %d, want 31", code)
	}
	// Another account has its own budget.
	p := map[string]string{"action": "products.nothing", "apiKey": "k2"}
	p["signature"] = signature("s2", p)
	if code := postForm(t, s, p).Code; code != CodeInvalidAction {
		t.Fatalf("other account: %d", code)
	}

	// Refused calls are not charged: one second after the first five, five more go through.
	clock.add(time.Millisecond)
	admitted := 5
	for admitted < 60 {
		for range 5 {
			if code := call(); code != CodeInvalidAction {
				t.Fatalf("call %d: %d", admitted, code)
			}
			admitted++
		}
		clock.add(time.Second)
	}
	// 60 calls in the last 12 s: the minute is spent, though the second is not.
	if code := call(); code != CodePerMinuteLimit {
		t.Fatalf("61st call within a minute: %d, want 32", code)
	}
	// The first five were at t0; the window (t-60s, t] releases them at t0+60s.
	clock.t = time.Unix(1_700_000_000, 0).Add(time.Minute - time.Nanosecond)
	if code := call(); code != CodePerMinuteLimit {
		t.Fatalf("just before the first calls leave the window: %d, want 32", code)
	}
	clock.add(time.Nanosecond)
	if code := call(); code != CodeInvalidAction {
		t.Fatalf("after the first calls left the window: %d", code)
	}
}

func TestUnlimitedAndDefaults(t *testing.T) {
	s := New(Options{})
	if s.perSecond != 5 || s.perMinute != 60 || s.maxProducts != 500 {
		t.Fatalf("defaults %d/%d/%d", s.perSecond, s.perMinute, s.maxProducts)
	}
	u := newUnlimited(Options{})
	for i := range 200 {
		if code := postForm(t, u, signed("products.nothing", nil)).Code; code != CodeInvalidAction {
			t.Fatalf("call %d: %d", i, code)
		}
	}
}
