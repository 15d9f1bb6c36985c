package faults

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

// What the platforms do wrong while chaos runs. A simulator holds one fault per action, so
// the code, the latency and the slow calls are drawn again every chaosPeriod.
const (
	chaosPeriod = time.Second
	errorRate   = 0.2  // answered with a retryable error
	dropRate    = 0.05 // connection closed without an answer, before the platform acts
	// slowChance is the chance, each period, that one IoT action's next few calls take longer
	// than --alibaba-timeout: the manager gives up, the platform acts, the answer is lost.
	// (That action then runs without faults for the rest of the period.)
	slowChance = 0.5
	// slowFeedChance is the same for one Flipsnack action's next two calls and
	// --flipsnack-timeout. Feed calls are few, so the chance is high enough that a run of
	// the suite loses some of their answers (TestFaults requires it).
	slowFeedChance = 0.7
)

var (
	alibabaActions = []string{"CreateProduct", "QueryProduct", "UpdateProduct", "DeleteProduct", "QueryProductList"}
	alibabaCodes   = []string{"ServiceUnavailable", "Throttling.User", "iot.system.SystemException"}
	feedActions    = []string{"products.create", "products.update", "products.delete"}
	feedCodes      = []string{"22", "31", "503"}
)

// chaosConfig shapes one run of chaos.
type chaosConfig struct {
	// maxIoTLatency and maxFeedLatency bound the latency every call gets (drawn per action
	// and period). Flipsnack's calls are few (batches of 500, 5 a second at most), so they
	// get more: a kill then often lands while one is under way.
	maxIoTLatency, maxFeedLatency time.Duration
}

// startChaos makes both simulators misbehave until the returned stop is called; stop (which
// may be called again) clears every fault and reports a fault that could not be set.
func (s *suite) startChaos(t *testing.T, rng *rand.Rand, cfg chaosConfig) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	// In force before the caller goes on to create anything.
	if err := s.setChaos(ctx, rng, cfg); err != nil {
		cancel()
		t.Fatalf("setting the simulators' faults: %v", err)
	}
	var (
		wg     sync.WaitGroup
		setErr error
	)
	wg.Go(func() {
		tick := time.NewTicker(chaosPeriod)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if err := s.setChaos(ctx, rng, cfg); err != nil && ctx.Err() == nil {
				setErr = err
				return
			}
		}
	})
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			wg.Wait()
			if setErr != nil {
				t.Errorf("setting the simulators' faults: %v", setErr)
			}
			if err := s.alibaba.ClearFaults(context.Background()); err != nil {
				t.Error(err)
			}
			if err := s.flipsnack.ClearFaults(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
}

// setChaos draws one period's faults.
func (s *suite) setChaos(ctx context.Context, rng *rand.Rand, cfg chaosConfig) error {
	latency := func(bound time.Duration) int { return rng.IntN(int(bound.Milliseconds()) + 1) }
	iot := alibabaiot.Faults{}
	for _, action := range alibabaActions {
		iot[action] = alibabaiot.Fault{ErrorRate: errorRate, Code: pick(rng, alibabaCodes), DropRate: dropRate, LatencyMs: latency(cfg.maxIoTLatency)}
	}
	if rng.Float64() < slowChance {
		action := pick(rng, alibabaActions)
		f := iot[action]
		f.LatencyMs, f.Count = int((alibabaTimeout + 500*time.Millisecond).Milliseconds()), 1+rng.IntN(3)
		iot[action] = f
	}
	feed := map[string]flipsnack.Fault{}
	for _, action := range feedActions {
		feed[action] = flipsnack.Fault{ErrorRate: errorRate, Code: pick(rng, feedCodes), DropRate: dropRate, LatencyMs: latency(cfg.maxFeedLatency)}
	}
	if rng.Float64() < slowFeedChance {
		action := pick(rng, feedActions)
		// Neither an error nor a drop: the platform acts, only the answer is lost.
		feed[action] = flipsnack.Fault{LatencyMs: int((flipsnackTimeout + 500*time.Millisecond).Milliseconds()), Count: 2}
	}
	if err := s.alibaba.SetFaults(ctx, iot); err != nil {
		return err
	}
	return s.flipsnack.SetFaults(ctx, feed)
}

func pick[E any](rng *rand.Rand, from []E) E { return from[rng.IntN(len(from))] }
