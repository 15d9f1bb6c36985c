// Package flipsnack is a protocol-faithful fake of the Flipsnack products feed API for tests and
// the local environment: it checks apiKey and signature, enforces the per-account rate limits
// and the 500-products-per-request limit, keeps feeds by sourceHash, and injects faults on
// demand. Besides the API at /v1/ it answers an inspection API under /_sim/.
//
// The fake is written from the documentation alone and does not share code with the client, so a
// misreading of the documentation in one of them shows up as a failing test rather than being
// mirrored.
package flipsnack

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Defaults, as documented for the real platform.
const (
	DefaultPerSecond   = 5
	DefaultPerMinute   = 60
	DefaultMaxProducts = 500
	// MaxSourceHash is the longest sourceHash accepted.
	MaxSourceHash = 64
)

// Unlimited, as PerSecond or PerMinute, switches that rate limit off.
const Unlimited = -1

// Options configures a Server. Zero values take the defaults.
type Options struct {
	// APIKey and APISecret are the credentials of one accepted account.
	APIKey, APISecret string
	// Accounts adds more accepted accounts, apiKey to apiSecret.
	Accounts map[string]string
	// PerSecond and PerMinute are each account's rate limits: 0 means the documented 5 and 60,
	// Unlimited (any negative) means none.
	PerSecond, PerMinute int
	// MaxProducts is the most products or SKUs one request may carry (default 500); more is 51.
	MaxProducts int
}

// Server is the fake API. It is an http.Handler; New is all it takes to serve it.
type Server struct {
	secrets     map[string]string // apiKey → apiSecret
	perSecond   int
	perMinute   int
	maxProducts int

	mu     sync.Mutex
	feeds  map[string]map[string]*feed // account label → sourceHash → feed
	limits map[string]*accountLimits   // account label → its windows
	faults map[string]*Fault           // action (or "*") → fault
	calls  []Call

	now  func() time.Time // replaced by tests that need a clock of their own
	rand func() float64
}

// New returns a Server with empty state.
func New(opts Options) *Server {
	s := &Server{
		secrets:     map[string]string{},
		perSecond:   orDefault(opts.PerSecond, DefaultPerSecond),
		perMinute:   orDefault(opts.PerMinute, DefaultPerMinute),
		maxProducts: orDefault(opts.MaxProducts, DefaultMaxProducts),
		feeds:       map[string]map[string]*feed{},
		limits:      map[string]*accountLimits{},
		faults:      map[string]*Fault{},
		now:         time.Now,
		rand:        rand.Float64,
	}
	if s.maxProducts < 0 {
		s.maxProducts = DefaultMaxProducts
	}
	if opts.APIKey != "" {
		s.secrets[opts.APIKey] = opts.APISecret
	}
	for k, v := range opts.Accounts {
		if k != "" {
			s.secrets[k] = v
		}
	}
	return s
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// AccountLabel is how the simulator names an account in its state and call log: a prefix of the
// apiKey's SHA-256, so inspection output never shows a key.
func AccountLabel(apiKey string) string {
	sum := sha256.Sum256([]byte(apiKey))
	return "acct-" + hex.EncodeToString(sum[:6])
}

// ServeHTTP routes the API (/v1/, and /v1 as the documentation writes it) and the inspection API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/v1" || r.URL.Path == "/v1/":
		s.serveAPI(w, r)
	case strings.HasPrefix(r.URL.Path, "/_sim/"):
		s.serveInspect(w, r)
	default:
		http.NotFound(w, r)
	}
}
