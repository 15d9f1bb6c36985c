package alibaba

import (
	"context"
	"testing"
	"time"

	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

// The platform counts calls per account and action in one-second windows. However the
// demand comes (here: an idle account, then two seconds' worth of calls at once), no second may see more
// calls than the documented limit, or the surplus comes back throttled.
func TestLimiterNeverExceedsTheLimitInAnySecond(t *testing.T) {
	for action, qps := range DefaultQPS {
		bucket := newLimiters(nil).get("account", action)
		start := time.Unix(1_700_000_000, 0)
		var at []time.Time
		for range 2*int(qps) + 2 {
			r := bucket.ReserveN(start, 1)
			at = append(at, start.Add(r.DelayFrom(start)))
		}
		// at is in order: the calls in the second from at[i] are those up to the first one
		// a second or more later.
		most, j := 0, 0
		for i := range at {
			for j < len(at) && at[j].Sub(at[i]) < time.Second {
				j++
			}
			most = max(most, j-i)
		}
		if most > int(qps) {
			t.Errorf("%s: %d calls within one second, limit %v", action, most, qps)
		}
		// With the margin, limit+1 calls span at least 20 ms more than a second, so network
		// jitter up to that cannot bring them into one second on the platform's clock.
		n := int(qps)
		if span := at[n].Sub(at[0]); span < time.Second+19*time.Millisecond {
			t.Errorf("%s: %d calls span %v, want at least 1.019s", action, n+1, span)
		}
	}
}

// Pages where CurrentPage x PageSize >= 100,000 are paced at the documented 2 per second, so
// the platform (here the simulator, which enforces that limit) never throttles them; shallow
// pages keep the action's own pace.
func TestDeepQueryProductListPagesArePacedAtTwoPerSecond(t *testing.T) {
	e := newTestEnv(t, alibabaiot.Options{QPS: map[string]int{ActionQueryProductList: 0}}, Options{})
	ctx := context.Background()

	start := time.Now()
	for range 5 {
		if _, _, err := e.client.QueryProductList(ctx, 1, MaxPageSize); err != nil {
			t.Fatalf("shallow page: %v", err)
		}
	}
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("5 shallow pages took %v: they should not wait for the deep-page budget", took)
	}

	start = time.Now()
	for i := range 5 {
		if _, _, err := e.client.QueryProductList(ctx, DeepPageThreshold/MaxPageSize+i, MaxPageSize); err != nil {
			t.Fatalf("deep page %d: %v", i, err)
		}
	}
	if took := time.Since(start); took < 2*time.Second {
		t.Errorf("5 deep pages took %v, want at least 2s at 2 per second", took)
	}
	for _, c := range e.callsOf(ActionQueryProductList) {
		if c.Code != alibabaiot.CodeOK {
			t.Errorf("a page was answered %s: %+v", c.Code, c)
		}
	}
}
