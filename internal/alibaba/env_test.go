package alibaba

import (
	"net/http/httptest"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

// The tests run the client against the simulator over real HTTP.

const (
	simKeyID  = "LTAI5tSimKeyId0001"
	simSecret = "SimSecret-0001-abcdefghijklmnop"
)

var allActions = []string{ActionCreateProduct, ActionQueryProduct, ActionUpdateProduct, ActionDeleteProduct, ActionQueryProductList}

// unlimitedSimQPS lifts the simulator's limits, for tests that are not about them.
func unlimitedSimQPS() map[string]int {
	m := map[string]int{}
	for _, a := range allActions {
		m[a] = 0
	}
	return m
}

// unlimitedQPS lifts the client's own limits.
func unlimitedQPS() map[string]float64 {
	m := map[string]float64{}
	for _, a := range allActions {
		m[a] = 0
	}
	return m
}

type testEnv struct {
	sim    *alibabaiot.Server
	srv    *httptest.Server
	set    *ClientSet
	client *Client // simKeyID, default region, no instance
}

// newTestEnv starts a simulator accepting simKeyID/simSecret (unless simOpts names accounts)
// and a ClientSet pointed at it. Nil QPS maps mean unlimited on both sides.
func newTestEnv(tb testing.TB, simOpts alibabaiot.Options, opts Options) *testEnv {
	tb.Helper()
	if simOpts.AccessKeyID == "" && len(simOpts.Accounts) == 0 {
		simOpts.AccessKeyID, simOpts.AccessKeySecret = simKeyID, simSecret
	}
	if simOpts.QPS == nil {
		simOpts.QPS = unlimitedSimQPS()
	}
	sim := alibabaiot.New(simOpts)
	srv := httptest.NewServer(sim)
	tb.Cleanup(srv.Close)

	opts.Endpoint = srv.URL
	if opts.QPS == nil {
		opts.QPS = unlimitedQPS()
	}
	set, err := NewClientSet(opts)
	if err != nil {
		tb.Fatal(err)
	}
	client, err := set.For(&Credentials{AccessKeyID: simKeyID, AccessKeySecret: simSecret}, "")
	if err != nil {
		tb.Fatal(err)
	}
	return &testEnv{sim: sim, srv: srv, set: set, client: client}
}

func (e *testEnv) callsOf(action string) []alibabaiot.Call { return e.sim.Calls(action) }
