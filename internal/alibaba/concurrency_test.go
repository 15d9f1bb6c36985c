package alibaba

import (
	"context"
	"sync"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

// The workers of both kinds share one client per account: concurrent calls must share no
// state they write. (`make test` runs this under the race detector, which reported the SDK
// client's Headers field written by every call while the calls shared one SDK client.)
func TestConcurrentCallsOfOneClientAreIndependent(t *testing.T) {
	e := newTestEnv(t, alibabaiot.Options{}, Options{})
	made, _, err := e.client.CreateProduct(context.Background(), CreateProductInput{ProductName: "shared_client", NodeType: 0})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, _, err := e.client.QueryProduct(context.Background(), made.ProductKey)
			if err == nil && got.ProductKey != made.ProductKey {
				t.Errorf("queried %s, got %s", made.ProductKey, got.ProductKey)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
