package alibaba

import (
	"slices"
	"sync"

	"golang.org/x/time/rate"
	"k8s.io/utils/lru"
)

// The actions this client calls.
const (
	ActionCreateProduct    = "CreateProduct"
	ActionQueryProduct     = "QueryProduct"
	ActionUpdateProduct    = "UpdateProduct"
	ActionDeleteProduct    = "DeleteProduct"
	ActionQueryProductList = "QueryProductList"
)

// Actions are every action this client calls: the least RAM policy of the operator's
// credentials allows exactly these (config/alibaba/ram-policy.json; a test holds the two equal).
var Actions = []string{ActionCreateProduct, ActionQueryProduct, ActionUpdateProduct, ActionDeleteProduct, ActionQueryProductList}

// LimitQueryProductListDeep is the rate-limit key (not an action) of the QueryProductList calls
// that read deep pages, where CurrentPage x PageSize >= DeepPageThreshold.
const LimitQueryProductListDeep = "QueryProductList(deep pages)"

// DeepPageThreshold is CurrentPage x PageSize from which QueryProductList has its lower limit.
const DeepPageThreshold = 100_000

// DefaultQPS is the documented limit of each action per Alibaba Cloud account (RAM users share
// their account's quota).
var DefaultQPS = map[string]float64{
	ActionCreateProduct:    50,
	ActionQueryProduct:     50,
	ActionUpdateProduct:    10,
	ActionDeleteProduct:    500,
	ActionQueryProductList: 50,
	// "If the product of the value of CurrentPage and the value of PageSize is greater than or
	// equal to 100,000, the QPS of this operation decreases. In this case, each Alibaba Cloud
	// account can run up to 2 QPS." (help.aliyun.com/document_detail/69271). Such a call waits
	// for this budget as well as the action's own (see deepPage).
	LimitQueryProductListDeep: 2,
}

// deepPage says that a QueryProductList call of page and pageSize counts against
// LimitQueryProductListDeep. Dividing, not multiplying, so no page number can overflow.
func deepPage(page, pageSize int) bool {
	return pageSize > 0 && page >= (DeepPageThreshold+pageSize-1)/pageSize
}

// spacingMargin is the share of an action's documented QPS the client uses.
const spacingMargin = 0.98

// limiters hands out one token bucket per pair of credentials and action, shared by every
// client of those credentials whatever its region or endpoint: the platform counts per
// account. At most maxBudgets pairs are kept, the least recently used going first, so
// temporary credentials rotated again and again, or a stream of made-up keys, cannot grow
// the manager's memory.
type limiters struct {
	qps map[string]float64 // per action; <= 0 is unlimited

	mu      sync.Mutex
	buckets *lru.Cache // limiterKey -> *rate.Limiter
}

// maxBudgets bounds the pairs of credentials whose buckets are kept.
const maxBudgets = 4096

type limiterKey struct{ account, action string }

func newLimiters(overrides map[string]float64) *limiters {
	qps := map[string]float64{}
	for action, n := range DefaultQPS {
		qps[action] = n
	}
	for action, n := range overrides {
		qps[action] = n
	}
	return &limiters{qps: qps, buckets: lru.New(maxBudgets * (len(Actions) + 1))}
}

// get returns the bucket of account and action. An action without a configured limit is
// unlimited.
func (l *limiters) get(account, action string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := limiterKey{account, action}
	if b, ok := l.buckets.Get(k); ok {
		return b.(*rate.Limiter)
	}
	qps, ok := l.qps[action]
	b := rate.NewLimiter(rate.Inf, 1)
	if ok && qps > 0 {
		// The platform counts calls in one-second windows. A bucket that could hold a
		// second's worth would let an idle account spend it all and then, as it refills
		// within the same second, up to twice the limit; those calls come back throttled and
		// must be made again. So calls are spaced evenly (a burst of one), 2% wider than the
		// limit allows, so that network jitter of up to 20 ms cannot bring limit+1 of them
		// into one second on the platform's clock.
		b = rate.NewLimiter(rate.Limit(qps*spacingMargin), 1)
	}
	l.buckets.Add(k, b)
	return b
}

// forAccount resolves the buckets of every action for one account, once per client.
func (l *limiters) forAccount(account string) map[string]*rate.Limiter {
	out := map[string]*rate.Limiter{}
	for _, action := range append(slices.Clone(Actions), LimitQueryProductListDeep) {
		out[action] = l.get(account, action)
	}
	return out
}
