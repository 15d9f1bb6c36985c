package alibaba

import (
	"crypto/rand"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	iot "github.com/alibabacloud-go/iot-20180120/v6/client"
	"github.com/alibabacloud-go/tea/tea"
	credential "github.com/aliyun/credentials-go/credentials"

	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
	"github.com/prodlife/product-lifecycle-operator/internal/egress"
)

// Options configures a ClientSet.
type Options struct {
	// Endpoint is the API's URL, e.g. http://127.0.0.1:18080 for the simulator. Empty means
	// the region's https://iot.<region>.aliyuncs.com. Plain http is refused but to a loopback
	// host (see egress.CheckEndpoint).
	Endpoint string
	// DefaultRegion is the region of a For call that names none. Empty means cn-shanghai.
	DefaultRegion string
	// QPS overrides DefaultQPS per action; 0 or negative means unlimited.
	QPS map[string]float64
	// Timeout bounds each call, from connecting to reading the answer. 0 means 10 seconds.
	Timeout time.Duration
	// STSEndpoint is where STS GetCallerIdentity goes, to learn the account of each set of
	// credentials (its budget is the account's). Empty means Endpoint when that is set (a
	// simulator or a proxy that serves both), else the region's https://sts.<region>.aliyuncs.com.
	STSEndpoint string
	// OwnCredentials, when set, stand for the operator's own credentials in place of the
	// default credential chain (a For without credentials): the test kit's operator, which
	// may run beside others in one process and must not read the process's environment.
	OwnCredentials *Credentials
	// NoWait makes a call whose account's budget would hold it longer than maxInlineWait
	// return at once a Throttled *apierr.Error whose RetryAfter says when the budget has
	// room: a controller's worker goes back to its queue instead of waiting behind other
	// tenants' calls of the same account.
	NoWait bool
}

// DefaultTimeout is the per-call timeout when Options.Timeout is 0.
const DefaultTimeout = 10 * time.Second

// maxCachedClients bounds the client cache: credentials rotate, and each rotation leaves a
// client behind. The least recently used one goes first.
const maxCachedClients = 256

// ClientSet hands out clients, one per credentials, endpoint and region, and holds what they
// share: the rate limits per account, the HTTP connection pool, the default credential chain.
// It is safe for concurrent use.
type ClientSet struct {
	opts     Options
	endpoint *endpoint // nil: derived from the region
	sts      *endpoint // nil: derived from the region
	fpKey    []byte    // the fingerprint key, random per process
	limiters *limiters
	http     *http.Client

	mu           sync.Mutex
	clients      map[cacheKey]*cacheEntry
	defaultChain credential.Credential
}

type cacheKey struct{ fingerprint, endpoint, region string }

type cacheEntry struct {
	client   *Client
	lastUsed time.Time
}

// endpoint is where calls go, split the way the SDK wants it.
type endpoint struct {
	host     string // host[:port]
	protocol string // HTTP or HTTPS
}

// NewClientSet returns a ClientSet for opts. It fails only on an Endpoint it cannot use or
// must not: plain http to a host that is not loopback.
func NewClientSet(opts Options) (*ClientSet, error) {
	if opts.DefaultRegion == "" {
		opts.DefaultRegion = "cn-shanghai"
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	s := &ClientSet{
		opts:     opts,
		fpKey:    make([]byte, 32),
		limiters: newLimiters(opts.QPS),
		clients:  map[cacheKey]*cacheEntry{},
	}
	if opts.Endpoint != "" {
		ep, err := parseEndpoint(opts.Endpoint)
		if err != nil {
			return nil, err
		}
		s.endpoint = &ep
		s.sts = &ep
	}
	if opts.STSEndpoint != "" {
		ep, err := parseEndpoint(opts.STSEndpoint)
		if err != nil {
			return nil, err
		}
		s.sts = &ep
	}
	rand.Read(s.fpKey)

	// One connection pool for every client: the SDK's default pool keeps two idle connections
	// per host, too few for a few hundred deletes per second.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConns = 256
	transport.MaxIdleConnsPerHost = 128
	transport.DialContext = (&net.Dialer{Timeout: opts.Timeout, KeepAlive: 30 * time.Second}).DialContext
	// The SDK sends through this client (see sdkHTTPClient), so refusing redirects here stops
	// them for every call: Go would otherwise follow a 302 with the signed request's headers.
	s.http = &http.Client{Transport: transport, Timeout: opts.Timeout, CheckRedirect: egress.RefuseRedirects}
	return s, nil
}

// parseEndpoint splits an endpoint URL (or a bare host[:port], taken as HTTPS) into host and
// protocol. The SDK always posts to "/", so a path is refused rather than silently dropped.
func parseEndpoint(raw string) (endpoint, error) {
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return endpoint{}, fmt.Errorf("alibaba endpoint %q: %w", raw, err)
	}
	var protocol string
	switch strings.ToLower(u.Scheme) {
	case "http":
		protocol = "HTTP"
	case "https":
		protocol = "HTTPS"
	default:
		return endpoint{}, fmt.Errorf("alibaba endpoint %q: scheme must be http or https", raw)
	}
	if u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return endpoint{}, fmt.Errorf("alibaba endpoint %q: want scheme://host[:port] only", raw)
	}
	if err := egress.CheckEndpoint(u); err != nil {
		return endpoint{}, fmt.Errorf("alibaba endpoint %q: %w", raw, err)
	}
	return endpoint{host: u.Host, protocol: protocol}, nil
}

func (s *ClientSet) endpointFor(region string) endpoint {
	if s.endpoint != nil {
		return *s.endpoint
	}
	return endpoint{host: "iot." + region + ".aliyuncs.com", protocol: "HTTPS"}
}

func (s *ClientSet) stsEndpointFor(region string) endpoint {
	if s.sts != nil {
		return *s.sts
	}
	return endpoint{host: "sts." + region + ".aliyuncs.com", protocol: "HTTPS"}
}

// For returns the client for creds (nil or zero: the default credential chain) in region
// (empty: the default region). Clients are cached by a fingerprint of the credentials, so a
// changed Secret gets a new client on its first use.
func (s *ClientSet) For(creds *Credentials, region string) (*Client, error) {
	if creds.isDefaultChain() && s.opts.OwnCredentials != nil {
		creds = s.opts.OwnCredentials
	}
	if err := creds.validate(); err != nil {
		return nil, &apierr.Error{Platform: Platform, Action: "Credentials", Class: apierr.TerminalAuth, Code: "InvalidCredentials", Message: err.Error()}
	}
	if region == "" {
		region = s.opts.DefaultRegion
	}
	ep := s.endpointFor(region)
	key := cacheKey{creds.fingerprint(s.fpKey), ep.protocol + "://" + ep.host, region}

	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.clients[key]; ok {
		e.lastUsed = time.Now()
		return e.client, nil
	}
	c, err := s.newClient(creds, region, ep)
	if err != nil {
		return nil, err
	}
	if len(s.clients) >= maxCachedClients {
		s.evictOldest()
	}
	s.clients[key] = &cacheEntry{client: c, lastUsed: time.Now()}
	return c, nil
}

func (s *ClientSet) evictOldest() {
	var oldest cacheKey
	var at time.Time
	for k, e := range s.clients {
		if at.IsZero() || e.lastUsed.Before(at) {
			oldest, at = k, e.lastUsed
		}
	}
	delete(s.clients, oldest)
}

// newClient builds the SDK client. Called with s.mu held.
func (s *ClientSet) newClient(creds *Credentials, region string, ep endpoint) (*Client, error) {
	cfg := &openapi.Config{
		Endpoint: tea.String(ep.host),
		Protocol: tea.String(ep.protocol),
		RegionId: tea.String(region),
		// The SDK's own clock-based timeouts apply only to its default HTTP client; ours has
		// Options.Timeout. RetryOptions stays nil: the SDK then makes exactly one attempt.
		ReadTimeout:    tea.Int(int(s.opts.Timeout.Milliseconds())),
		ConnectTimeout: tea.Int(int(s.opts.Timeout.Milliseconds())),
		HttpClient:     sdkHTTPClient{s.http},
	}
	if creds.isDefaultChain() {
		if s.defaultChain == nil {
			chain, err := credential.NewCredential(nil)
			if err != nil {
				return nil, &apierr.Error{Platform: Platform, Action: "Credentials", Class: apierr.TerminalAuth, Code: "InvalidCredentials",
					Message: "default credential chain: " + err.Error()}
			}
			s.defaultChain = chain
		}
		cfg.Credential = s.defaultChain
	} else {
		cfg.AccessKeyId = tea.String(creds.AccessKeyID)
		cfg.AccessKeySecret = tea.String(creds.AccessKeySecret)
		if creds.SecurityToken != "" {
			cfg.SecurityToken = tea.String(creds.SecurityToken)
		}
	}
	sdk, err := iot.NewClient(cfg)
	if err != nil {
		secrets := creds.secrets()
		return nil, &apierr.Error{Platform: Platform, Action: "Credentials", Class: apierr.TerminalAuth, Code: "InvalidCredentials",
			Message: redact("creating the IoT client: "+err.Error(), secrets)}
	}
	stsCfg := *cfg
	sts := s.stsEndpointFor(region)
	stsCfg.Endpoint, stsCfg.Protocol = tea.String(sts.host), tea.String(sts.protocol)
	stsClient, err := openapi.NewClient(&stsCfg)
	if err != nil {
		return nil, &apierr.Error{Platform: Platform, Action: "Credentials", Class: apierr.TerminalAuth, Code: "InvalidCredentials",
			Message: redact("creating the STS client: "+err.Error(), creds.secrets())}
	}
	account := creds.account()
	return &Client{
		shared: &shared{
			sdk:        sdk,
			credential: sdk.Credential,
			account:    account,
			identity:   creds.identity(),
			budget:     &budget{limiters: s.limiters, sts: stsClient, limits: s.limiters.forAccount(creds.budget())},
			noWait:     s.opts.NoWait,
			region:     region,
		},
		secrets: creds.secrets(),
	}, nil
}

// sdkHTTPClient lets the SDK send its requests through our http.Client.
type sdkHTTPClient struct{ c *http.Client }

// Call ignores the transport the SDK built for the request: ours is configured once, shared
// and pooled.
func (h sdkHTTPClient) Call(req *http.Request, _ *http.Transport) (*http.Response, error) {
	return h.c.Do(req)
}
