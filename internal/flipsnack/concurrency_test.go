package flipsnack_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/prodlife/product-lifecycle-operator/internal/flipsnack"
	sim "github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

// The done-when: 20 feeds of 2,000 SKUs each, deleted at once by 20 goroutines sharing
// one ClientSet and one apiKey, against a simulator enforcing the documented 5/s and 60/min.
// The platform must never answer 31 or 32, every SKU must be gone, and the 80 calls must use the
// budget well. It runs at the real budget, so it takes a little over a minute.
func TestConcurrentFeedDeletesStayWithinBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("runs at the real rate budget (over a minute)")
	}
	const feeds, perFeed = 20, 2000
	s, set := newSim(t, sim.Options{}, flipsnack.Options{})
	for f := range feeds {
		// Seeding goes through the simulator's Go API: it must not spend the budget under test.
		if err := s.Seed(apiKey, feedName(f), products(feedName(f), perFeed)); err != nil {
			t.Fatal(err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, feeds)
	for f := range feeds {
		wg.Go(func() {
			// Each feed gets its own client, as each reconcile would: the budget is the set's.
			c := set.For(apiKey, apiSecret)
			_, errs[f] = c.DeleteProducts(ctx, feedName(f), skus(feedName(f), perFeed), nil)
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	for f, err := range errs {
		if err != nil {
			t.Errorf("feed %d: %v", f, err)
		}
	}
	if left := s.Feeds(); len(left) != 0 {
		t.Fatalf("%d feeds left, the first with %d SKUs", len(left), len(left[0].SKUs))
	}
	calls := callsOf(s, flipsnack.ActionDelete)
	var times []time.Time
	for _, c := range calls {
		if c.Code == 31 || c.Code == 32 {
			t.Fatalf("the simulator answered %d: %+v", c.Code, c)
		}
		if c.Code != 20 {
			t.Fatalf("unexpected answer: %+v", c)
		}
		times = append(times, c.Time)
	}
	if len(calls) != feeds*perFeed/500 {
		t.Fatalf("%d calls, want %d", len(calls), feeds*perFeed/500)
	}
	// Seen from the simulator, no sliding window holds more than the budget.
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	if n := maxInWindow(times, time.Second); n > 5 {
		t.Fatalf("%d calls within one second", n)
	}
	if n := maxInWindow(times, time.Minute); n > 60 {
		t.Fatalf("%d calls within one minute", n)
	}
	// The budget is used: 80 calls need at least 60 s (60 in the first minute, then 20 more),
	// and the achieved rate over the run must be at least 80 % of 60 per minute.
	perMinute := float64(len(calls)) / elapsed.Minutes()
	t.Logf("%d calls deleting %d SKUs in %v: %.1f calls/min, %.0f SKUs/s", len(calls), feeds*perFeed, elapsed.Round(time.Millisecond), perMinute, float64(feeds*perFeed)/elapsed.Seconds())
	if perMinute < 0.8*60 {
		t.Fatalf("achieved %.1f calls/min, want at least 48", perMinute)
	}
}

func feedName(f int) string { return fmt.Sprintf("feed-%02d", f) }

// maxInWindow is the most sorted times found in any interval (t-span, t].
func maxInWindow(times []time.Time, span time.Duration) int {
	most, lo := 0, 0
	for hi := range times {
		for !times[lo].After(times[hi].Add(-span)) {
			lo++
		}
		most = max(most, hi-lo+1)
	}
	return most
}
