package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/prodlife/product-lifecycle-operator/internal/devenv/devenvtest"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

// What the simulated platforms hold and were asked, read through their inspection APIs as a
// person would with curl.

type alibabaPlatform struct{ devenvtest.Alibaba }

// products returns every product on the platform by ProductKey.
func (p alibabaPlatform) products(t *testing.T) map[string]alibabaiot.Product {
	t.Helper()
	all, err := p.Products(inspectContext(t))
	must(t, err)
	out := map[string]alibabaiot.Product{}
	for _, prod := range all {
		out[prod.ProductKey] = prod
	}
	return out
}

// calls returns every call the platform answered, oldest first.
func (p alibabaPlatform) calls(t *testing.T) []alibabaiot.Call {
	t.Helper()
	calls, err := p.Calls(inspectContext(t), "")
	must(t, err)
	return calls
}

// callsOf returns the calls of one action made for productKey, oldest first.
func (p alibabaPlatform) callsOf(t *testing.T, action, productKey string) []alibabaiot.Call {
	t.Helper()
	calls, err := p.Calls(inspectContext(t), action)
	must(t, err)
	var out []alibabaiot.Call
	for _, c := range calls {
		if c.Parameters["ProductKey"] == productKey {
			out = append(out, c)
		}
	}
	return out
}

// deleteCalls returns the DeleteProduct calls made for productKey, oldest first.
func (p alibabaPlatform) deleteCalls(t *testing.T, productKey string) []alibabaiot.Call {
	t.Helper()
	return p.callsOf(t, "DeleteProduct", productKey)
}

// setFaults makes actions misbehave until the test ends, e.g.
// {"DeleteProduct": {"errorRate": 1, "code": "Forbidden.RAM"}}.
func (p alibabaPlatform) setFaults(t *testing.T, faults string) {
	t.Helper()
	must(t, devenvtest.Inspect(inspectContext(t), http.MethodPut, p.URL+"/_sim/faults", json.RawMessage(faults), nil))
	t.Cleanup(func() { must(t, p.ClearFaults(context.Background())) })
}

type flipsnackPlatform struct{ devenvtest.Flipsnack }

// feedCodeOK is the code Flipsnack answers a call that succeeded with.
const feedCodeOK = 20

// feeds returns every feed on the platform by sourceHash.
func (p flipsnackPlatform) feeds(t *testing.T) map[string]flipsnack.Feed {
	t.Helper()
	all, err := p.Feeds(inspectContext(t))
	must(t, err)
	out := map[string]flipsnack.Feed{}
	for _, f := range all {
		out[f.SourceHash] = f
	}
	return out
}

// deleteCalls returns the products.delete calls made to the feed sourceHash, oldest first.
func (p flipsnackPlatform) deleteCalls(t *testing.T, sourceHash string) []flipsnack.Call {
	t.Helper()
	calls, err := p.Calls(inspectContext(t), "products.delete")
	must(t, err)
	var out []flipsnack.Call
	for _, c := range calls {
		if c.Params["sourceHash"] == sourceHash {
			out = append(out, c)
		}
	}
	return out
}

// inspectContext bounds one look at a simulator, which answers from memory at once.
func inspectContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
