package flipsnack_test

import (
	"context"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/internal/flipsnack"
	sim "github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

// BenchmarkDeleteSKUs measures the client and simulator themselves (signing, encoding, HTTP,
// batching) with the rate limits raised out of the way: SKUs deleted per second.
func BenchmarkDeleteSKUs(b *testing.B) {
	const perFeed = 5000
	s, set := newSim(b,
		sim.Options{PerSecond: 1_000_000, PerMinute: 60_000_000},
		flipsnack.Options{PerSecond: 1_000_000, PerMinute: 60_000_000})
	c := set.For(apiKey, apiSecret)
	list := skus("bench", perFeed)
	seed := products("bench", perFeed)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		if err := s.Seed(apiKey, "bench-feed", seed); err != nil {
			b.Fatal(err)
		}
		s.ClearCalls()
		b.StartTimer()
		if _, err := c.DeleteProducts(ctx, "bench-feed", list, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*perFeed)/b.Elapsed().Seconds(), "skus/s")
}
