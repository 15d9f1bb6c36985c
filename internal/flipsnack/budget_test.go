package flipsnack

import (
	"context"
	"errors"
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

// A discrete-event run on a virtual clock: many callers, random latencies, and the platform
// seeing each call at a random moment between its start and its end. Whatever the latencies, no
// window of the platform's sliding limits may ever see more than its limit, and the budget must
// still be used: close to 60 calls a minute when latency is small.
func TestBudgetNeverExceedsSlidingWindows(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, seed))
		maxLatency := time.Duration(rng.Int64N(int64(3 * time.Second)))
		arrivals := simulateBudget(rng, 20, 10*time.Minute, maxLatency)
		checkWindow(t, arrivals, time.Second, 5)
		checkWindow(t, arrivals, time.Minute, 60)
		// Each minute slot frees one minute after its call *ends*, so latency L costs at most
		// a factor 60/(60+L) of the 600 calls that 10 minutes allow.
		lat := maxLatency.Seconds()
		if want := int(600*60/(60+lat)) - 60; len(arrivals) < want {
			t.Fatalf("seed %d, latency up to %v: %d calls in 10 min, want at least %d", seed, maxLatency, len(arrivals), want)
		}
	}
}

func simulateBudget(rng *rand.Rand, callers int, length, maxLatency time.Duration) []time.Time {
	b := newBudget(5, 60)
	start := time.Unix(1_700_000_000, 0)
	now := start
	var ends []time.Time // calls in flight, by end time
	var arrivals []time.Time
	idle := callers
	for now.Before(start.Add(length)) {
		// Start as many calls as the budget admits right now.
		var wake time.Time
		for idle > 0 {
			ok, w := b.tryAcquire(now)
			if !ok {
				wake = w
				break
			}
			idle--
			latency := time.Duration(rng.Int64N(int64(maxLatency) + 1))
			end := now.Add(latency)
			arrivals = append(arrivals, now.Add(time.Duration(rng.Int64N(int64(latency)+1))))
			ends = append(ends, end)
			sort.Slice(ends, func(i, j int) bool { return ends[i].Before(ends[j]) })
		}
		// Advance to the next event: a call ending, or a window freeing a slot.
		next := start.Add(length)
		if len(ends) > 0 && ends[0].Before(next) {
			next = ends[0]
		}
		if idle > 0 && !wake.IsZero() && wake.Before(next) {
			next = wake
		}
		if !next.After(now) {
			next = now.Add(time.Nanosecond)
		}
		now = next
		for len(ends) > 0 && !ends[0].After(now) {
			b.complete(ends[0])
			ends = ends[1:]
			idle++
		}
	}
	return arrivals
}

// checkWindow asserts that no interval (t-span, t] holds more than limit arrivals.
func checkWindow(t *testing.T, arrivals []time.Time, span time.Duration, limit int) {
	t.Helper()
	a := append([]time.Time(nil), arrivals...)
	sort.Slice(a, func(i, j int) bool { return a[i].Before(a[j]) })
	lo := 0
	for hi := range a {
		for !a[lo].After(a[hi].Add(-span)) {
			lo++
		}
		if n := hi - lo + 1; n > limit {
			t.Fatalf("%d calls within %v ending at %v, limit %d", n, span, a[hi], limit)
		}
	}
}

// A full budget admits nothing more until a slot frees, and says when that is.
func TestBudgetWakeTime(t *testing.T) {
	b := newBudget(2, 0)
	t0 := time.Unix(1_700_000_000, 0)
	for range 2 {
		if ok, _ := b.tryAcquire(t0); !ok {
			t.Fatal("refused within the limit")
		}
	}
	if ok, wake := b.tryAcquire(t0); ok || !wake.IsZero() {
		t.Fatalf("admitted %v, wake %v; want refused until a call completes", ok, wake)
	}
	b.complete(t0.Add(300 * time.Millisecond))
	if ok, wake := b.tryAcquire(t0.Add(time.Second)); ok || !wake.Equal(t0.Add(1300*time.Millisecond)) {
		t.Fatalf("admitted %v, wake %v; want a wake one second after the first completion", ok, wake)
	}
	if ok, _ := b.tryAcquire(t0.Add(1300 * time.Millisecond)); !ok {
		t.Fatal("refused after the slot freed")
	}
}

// Waiting for the budget ends with the context.
func TestBudgetAcquireHonoursContext(t *testing.T) {
	b := newBudget(1, 0)
	if _, err := b.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(10 * time.Millisecond)
		cancel()
	}()
	if _, err := b.acquire(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

// wouldWait says what tryNow would, and admits nothing however often it is asked.
func TestBudgetWouldWaitAdmitsNothing(t *testing.T) {
	b := newBudget(2, 0)
	for range 10 {
		if w := b.wouldWait(); w != 0 {
			t.Fatalf("wouldWait %v on an unused budget, want 0", w)
		}
	}
	for range 2 {
		if release, _ := b.tryNow(); release == nil {
			t.Fatal("refused within the limit: wouldWait admitted calls")
		} else {
			release()
		}
	}
	w := b.wouldWait()
	if w < inFlightWait || w > time.Second {
		t.Fatalf("wouldWait %v with the second's two calls made, want between %v and 1s", w, inFlightWait)
	}
	if release, wait := b.tryNow(); release != nil || wait <= 0 {
		t.Fatalf("tryNow admitted a call wouldWait said must wait (wait %v)", wait)
	}
}
