package alibaba

import (
	"math"
	"sync"

	"golang.org/x/time/rate"
)

// The actions this client calls.
const (
	ActionCreateProduct    = "CreateProduct"
	ActionQueryProduct     = "QueryProduct"
	ActionUpdateProduct    = "UpdateProduct"
	ActionDeleteProduct    = "DeleteProduct"
	ActionQueryProductList = "QueryProductList"
)

// DefaultQPS is the documented limit of each action per Alibaba Cloud account (RAM users share
// their account's quota).
var DefaultQPS = map[string]float64{
	ActionCreateProduct:    50,
	ActionQueryProduct:     50,
	ActionUpdateProduct:    10,
	ActionDeleteProduct:    500,
	ActionQueryProductList: 50,
}

// limiters hands out one token bucket per account and action, shared by every client of the
// account whatever its region, endpoint or Secret version: the platform counts per account.
type limiters struct {
	qps map[string]float64 // per action; <= 0 is unlimited

	mu      sync.Mutex
	buckets map[limiterKey]*rate.Limiter
}

type limiterKey struct{ account, action string }

func newLimiters(overrides map[string]float64) *limiters {
	qps := map[string]float64{}
	for action, n := range DefaultQPS {
		qps[action] = n
	}
	for action, n := range overrides {
		qps[action] = n
	}
	return &limiters{qps: qps, buckets: map[limiterKey]*rate.Limiter{}}
}

// get returns the bucket of account and action. An action without a configured limit is
// unlimited.
func (l *limiters) get(account, action string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := limiterKey{account, action}
	if b, ok := l.buckets[k]; ok {
		return b
	}
	qps, ok := l.qps[action]
	b := rate.NewLimiter(rate.Inf, 1)
	if ok && qps > 0 {
		// A burst of one second's worth lets an idle account use its full per-second quota at
		// once, which is what the platform's per-second window allows.
		b = rate.NewLimiter(rate.Limit(qps), int(math.Max(1, math.Ceil(qps))))
	}
	l.buckets[k] = b
	return b
}

// forAccount resolves the buckets of every action for one account, once per client.
func (l *limiters) forAccount(account string) map[string]*rate.Limiter {
	out := map[string]*rate.Limiter{}
	for _, action := range []string{ActionCreateProduct, ActionQueryProduct, ActionUpdateProduct, ActionDeleteProduct, ActionQueryProductList} {
		out[action] = l.get(account, action)
	}
	return out
}
