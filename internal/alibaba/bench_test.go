package alibaba

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

// BenchmarkDeleteProduct measures how many DeleteProduct calls per second the client sustains
// against the simulator over loopback HTTP, with the rate limits lifted on both sides (the
// documented limit, 500/s, would otherwise be what is measured). Every call deletes a product
// that exists, so each one goes the whole way: signing, the simulator's checks, the answer.
func BenchmarkDeleteProduct(b *testing.B) {
	e := newTestEnv(b, alibabaiot.Options{}, Options{})
	keys := make([]string, b.N)
	for i := range keys {
		p, err := e.sim.AddProduct(alibabaiot.Product{ProductName: fmt.Sprintf("bench_%09d", i)})
		if err != nil {
			b.Fatal(err)
		}
		keys[i] = p.ProductKey
	}
	var next atomic.Int64
	ctx := context.Background()
	// Calls wait on the network, not the CPU: more goroutines than cores keep both busy.
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			key := keys[next.Add(1)-1]
			if _, err := e.client.DeleteProduct(ctx, key); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
	if left := len(e.sim.Products()); left != 0 {
		b.Errorf("%d products left", left)
	}
}
