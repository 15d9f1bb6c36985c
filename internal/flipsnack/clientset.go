package flipsnack

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/prodlife/product-lifecycle-operator/internal/egress"
	"k8s.io/utils/lru"
)

// Defaults, from the platform's documentation (developers.flipsnack.com/api-limitations and the
// products pages).
const (
	DefaultEndpoint  = "https://api.flipsnack.com/v1/"
	DefaultPerSecond = 5
	DefaultPerMinute = 60
	DefaultMaxBatch  = 500
	DefaultTimeout   = 30 * time.Second
	// DefaultRetryBase is the first wait after a 31; a 22 waits 5x and a 32 10x as long, doubling
	// on every further answer of the same kind.
	DefaultRetryBase = time.Second
	// DefaultMaxRetryWait bounds the total time one request spends waiting out 31, 32 and 22
	// answers before the client gives up and returns the error to the caller.
	DefaultMaxRetryWait = 2 * time.Minute
)

// Unlimited, as PerSecond or PerMinute, switches that budget off.
const Unlimited = -1

// Options configures a ClientSet. Zero values take the defaults above.
type Options struct {
	// Endpoint is the API URL the form is posted to, e.g. http://127.0.0.1:18081/v1/ for the
	// simulator. Validate refuses plain http but to a loopback host.
	Endpoint string
	// PerSecond and PerMinute are the call budget of one apiKey; 0 means the documented 5 and 60,
	// Unlimited (any negative) means no limit.
	PerSecond, PerMinute int
	// MaxBatch is the most products or SKUs sent in one request (the platform allows 500).
	MaxBatch int
	// HTTPClient sends the requests; nil means a client of its own. Either way the ClientSet
	// uses a copy that refuses redirects.
	HTTPClient *http.Client
	// Timeout bounds one HTTP request (not the waits between attempts).
	Timeout time.Duration
	// RetryBase and MaxRetryWait shape the waits after 31, 32 and 22 answers.
	RetryBase, MaxRetryWait time.Duration
	// NotFoundMessages replaces DefaultNotFoundMessages (see there).
	NotFoundMessages []string
	// NoWait makes a call that would wait (for the apiKey's budget, or out a 31, 32 or 22
	// answer) return at once a Throttled *apierr.Error whose RetryAfter says when to call
	// again: a controller's worker then goes back to its queue instead of waiting, so one
	// tenant's spent budget never holds up another's feeds.
	NoWait bool
}

// ClientSet hands out clients that share one rate budget per apiKey, whatever feed or goroutine
// uses them. The operator keeps one ClientSet for its whole life.
type ClientSet struct {
	endpoint     string
	perSecond    int
	perMinute    int
	maxBatch     int
	http         *http.Client
	timeout      time.Duration
	retryBase    time.Duration
	maxRetryWait time.Duration
	notFound     []string
	noWait       bool

	mu      sync.Mutex
	budgets *lru.Cache // credentialsID(apiKey, apiSecret) -> *budget: neither is kept as a key
}

// maxBudgets bounds the budgets kept: one per pair of credentials in use, and the oldest go
// first, so Secrets rotated again and again, or a tenant's stream of made-up keys, cannot grow
// the manager's memory.
const maxBudgets = 4096

// Validate refuses an Endpoint the clients must not post to: one that is not a URL, or plain
// http to a host that is not loopback, which would show the apiKey and the signatures to the
// network. NewClientSet does not check; the manager calls Validate first, at start-up.
func (o Options) Validate() error {
	if o.Endpoint == "" {
		return nil // DefaultEndpoint
	}
	u, err := url.Parse(o.Endpoint)
	if err != nil {
		return fmt.Errorf("flipsnack endpoint %q: %w", o.Endpoint, err)
	}
	if u.Host == "" {
		return fmt.Errorf("flipsnack endpoint %q: want scheme://host[:port]/path", o.Endpoint)
	}
	if err := egress.CheckEndpoint(u); err != nil {
		return fmt.Errorf("flipsnack endpoint %q: %w", o.Endpoint, err)
	}
	return nil
}

// NewClientSet applies the defaults to opts.
func NewClientSet(opts Options) *ClientSet {
	s := &ClientSet{
		endpoint:     opts.Endpoint,
		perSecond:    orDefault(opts.PerSecond, DefaultPerSecond),
		perMinute:    orDefault(opts.PerMinute, DefaultPerMinute),
		maxBatch:     orDefault(opts.MaxBatch, DefaultMaxBatch),
		http:         opts.HTTPClient,
		timeout:      opts.Timeout,
		retryBase:    opts.RetryBase,
		maxRetryWait: opts.MaxRetryWait,
		notFound:     opts.NotFoundMessages,
		noWait:       opts.NoWait,
		budgets:      lru.New(maxBudgets),
	}
	if s.endpoint == "" {
		s.endpoint = DefaultEndpoint
	}
	// The form carries the apiKey and a signature a listener could replay: a redirect must
	// not send them again, elsewhere. A caller's client is copied, not changed.
	if s.http == nil {
		s.http = &http.Client{}
	} else {
		c := *s.http
		s.http = &c
	}
	s.http.CheckRedirect = egress.RefuseRedirects
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	if s.retryBase <= 0 {
		s.retryBase = DefaultRetryBase
	}
	if s.maxRetryWait <= 0 {
		s.maxRetryWait = DefaultMaxRetryWait
	}
	if s.notFound == nil {
		s.notFound = DefaultNotFoundMessages
	}
	return s
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// For returns a client for one pair of credentials. Every client of the same apiKey and
// apiSecret, whatever feed or goroutine uses it, draws on the same budget, because the
// platform counts calls per account. A client with another secret (a wrong one, sent with
// someone else's apiKey; or a rotation, for the moments both secrets are in use) has a budget
// of its own: what it spends, it spends from nobody else's.
func (s *ClientSet) For(apiKey, apiSecret string) *Client {
	id := credentialsID(apiKey, apiSecret)
	s.mu.Lock()
	b, ok := s.budgets.Get(id)
	if !ok {
		b = newBudget(s.perSecond, s.perMinute)
		s.budgets.Add(id, b)
	}
	s.mu.Unlock()
	return &Client{set: s, apiKey: apiKey, apiSecret: apiSecret, account: accountID(apiKey)[:12], budget: b.(*budget)}
}

// credentialsID is a stable, non-reversible name for a pair of credentials, to key maps by.
func credentialsID(apiKey, apiSecret string) string {
	sum := sha256.Sum256([]byte(apiKey + "\x00" + apiSecret))
	return hex.EncodeToString(sum[:])
}

// accountID is a stable, non-reversible name for an apiKey, safe to log and to key maps by.
func accountID(apiKey string) string {
	sum := sha256.Sum256([]byte(apiKey))
	return hex.EncodeToString(sum[:])
}
