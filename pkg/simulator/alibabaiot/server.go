package alibabaiot

import (
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// APIVersion is the only API version the simulator serves.
const APIVersion = "2018-01-20"

// The actions the simulator implements.
const (
	ActionCreateProduct    = "CreateProduct"
	ActionQueryProduct     = "QueryProduct"
	ActionUpdateProduct    = "UpdateProduct"
	ActionDeleteProduct    = "DeleteProduct"
	ActionQueryProductList = "QueryProductList"
)

// LimitQueryProductListDeep is the QPS key (not an action) of the QueryProductList calls that
// read deep pages: CurrentPage x PageSize >= DeepPageThreshold.
const LimitQueryProductListDeep = "QueryProductList(deep pages)"

// DeepPageThreshold is CurrentPage x PageSize from which QueryProductList has its lower limit.
const DeepPageThreshold = 100_000

// DefaultQPS is the documented per-account limit of each action (calls per second).
var DefaultQPS = map[string]int{
	ActionCreateProduct:    50,
	ActionQueryProduct:     50,
	ActionUpdateProduct:    10,
	ActionDeleteProduct:    500,
	ActionQueryProductList: 50,
	// Deep pages count against this limit as well as the action's own.
	LimitQueryProductListDeep: 2,
}

// Account is one set of accepted credentials.
type Account struct {
	AccessKeyID     string
	AccessKeySecret string
	// SecurityToken, when set, must come with every request of this key (an STS credential);
	// when empty, a request carrying a token is rejected, as the platform rejects a token that
	// does not belong to the key.
	SecurityToken string
	// UID is the Alibaba Cloud account the key belongs to. Keys with the same UID (RAM users of
	// one account) share products and rate limits. Empty means the AccessKeyID itself.
	UID string
}

// Options configures a Server. The zero value accepts no credentials.
type Options struct {
	// AccessKeyID and AccessKeySecret are the accepted credentials (the simulator command's
	// --alibaba-access-key-id and --alibaba-access-key-secret).
	AccessKeyID     string
	AccessKeySecret string
	// Accounts adds more accepted credentials.
	Accounts []Account
	// QPS overrides DefaultQPS per action; 0 or negative means unlimited.
	QPS map[string]int
	// MaxProductsPerInstance is the product quota of one account in one instance
	// (iot.prod.ProductCountExceedMax beyond it). 0 means 1000; negative means unlimited.
	MaxProductsPerInstance int
	// IotInstanceIDs, when not empty, lists the instances that exist; any other non-empty
	// IotInstanceId is iot.system.InstanceNotFound. When empty, every IotInstanceId is accepted
	// and is its own namespace of products.
	IotInstanceIDs []string
	// MQTTInstanceIDs are instances of the MQTT type, which have no thing model: CreateProduct
	// there refuses AliyunCommodityCode (iot.prod.InvalidAliyunCommodityCode).
	MQTTInstanceIDs []string
	// ClockSkew is how far a request's timestamp may be from the simulator's clock. 0 means the
	// platform's 15 minutes.
	ClockSkew time.Duration
	// MaxCallLog bounds the call log (oldest entries are dropped). 0 means 100000.
	MaxCallLog int
	// Logger receives one debug line per call (never a secret). Nil discards.
	Logger *slog.Logger
	// Now replaces the clock, for tests. Nil means time.Now.
	Now func() time.Time
}

// Server is the simulated IoT API. It implements http.Handler and is safe for concurrent use.
type Server struct {
	accounts  map[string]Account
	qps       map[string]int
	quota     int
	instances map[string]bool
	// mqttInstances are the instances of the MQTT type.
	mqttInstances map[string]bool
	skew          time.Duration
	now           func() time.Time
	log           *slog.Logger
	inspect       *http.ServeMux
	// defaultOwner owns the products AddProduct makes without an owner.
	defaultOwner string

	store   store
	limiter windowLimiter
	faults  faultTable
	calls   callLog
	nonces  nonceCache
}

// New returns a Server configured by opts.
func New(opts Options) *Server {
	s := &Server{
		accounts:  map[string]Account{},
		qps:       map[string]int{},
		quota:     opts.MaxProductsPerInstance,
		instances: map[string]bool{},
		skew:      opts.ClockSkew,
		now:       opts.Now,
		log:       opts.Logger,
	}
	if opts.AccessKeyID != "" {
		s.addAccount(Account{AccessKeyID: opts.AccessKeyID, AccessKeySecret: opts.AccessKeySecret})
	}
	for _, a := range opts.Accounts {
		s.addAccount(a)
	}
	if opts.AccessKeyID != "" {
		s.defaultOwner = s.accounts[opts.AccessKeyID].UID
	} else if len(opts.Accounts) > 0 {
		s.defaultOwner = s.accounts[opts.Accounts[0].AccessKeyID].UID
	}
	for action, n := range DefaultQPS {
		s.qps[action] = n
	}
	for action, n := range opts.QPS {
		s.qps[action] = n
	}
	if s.quota == 0 {
		s.quota = 1000
	}
	for _, id := range opts.IotInstanceIDs {
		s.instances[id] = true
	}
	s.mqttInstances = map[string]bool{}
	for _, id := range opts.MQTTInstanceIDs {
		s.mqttInstances[id] = true
	}
	if s.skew <= 0 {
		s.skew = 15 * time.Minute
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.store.init()
	s.limiter.init()
	s.calls.init(opts.MaxCallLog)
	s.nonces.init(2 * s.skew)
	s.inspect = s.inspectMux()
	return s
}

func (s *Server) addAccount(a Account) {
	if a.UID == "" {
		a.UID = a.AccessKeyID
	}
	s.accounts[a.AccessKeyID] = a
}

// ServeHTTP answers the API at "/" and the inspection API under "/_sim/".
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sim/") {
		s.inspect.ServeHTTP(w, r)
		return
	}
	s.serveAPI(w, r)
}

// apiRequest is one API call as the simulator parsed it.
type apiRequest struct {
	http      *http.Request
	body      []byte
	query     url.Values // the query string alone: V3 signs it
	params    url.Values // query string and form body together: what the action reads
	action    string
	version   string
	requestID string
}

// answer is what the simulator replies: an HTTP status, the error code ("" on success) and
// the JSON body.
type answer struct {
	status int
	code   string
	body   any
}

// gatewayError is the body of an error raised before the IoT service saw the request
// (signature, throttling, unknown action), as the API gateway sends it.
type gatewayError struct {
	RequestId string
	HostId    string
	Code      string
	Message   string
	Recommend string
}

// businessError is the body of an error raised by the IoT service itself: HTTP 200, Success false.
type businessError struct {
	RequestId    string
	Success      bool
	Code         string
	ErrorMessage string
}

func (req *apiRequest) gatewayFailure(status int, code, message string) answer {
	host := req.http.Host
	return answer{status: status, code: code, body: gatewayError{
		RequestId: req.requestID,
		HostId:    host,
		Code:      code,
		Message:   message,
		Recommend: "https://api.aliyun.com/troubleshoot?q=" + url.QueryEscape(code) + "&product=Iot&requestId=" + req.requestID,
	}}
}

func (req *apiRequest) businessFailure(code, message string) answer {
	return answer{status: http.StatusOK, code: code, body: businessError{
		RequestId:    req.requestID,
		Success:      false,
		Code:         code,
		ErrorMessage: message,
	}}
}

// maxBody bounds what the simulator reads of a request body; real calls are a few hundred bytes.
const maxBody = 1 << 20

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	req := &apiRequest{http: r, requestID: newRequestID(), query: r.URL.Query()}
	call := Call{Time: start, RequestID: req.requestID}

	ans, dropped := s.handle(req, &call)
	call.Action = req.action
	call.Parameters = loggableParams(req.params)
	if dropped {
		call.Dropped = true
	} else {
		call.HTTPStatus = ans.status
		call.Code = ans.code
		if call.Code == "" {
			call.Code = CodeOK
		}
	}
	s.calls.add(call)
	s.log.Debug("alibaba iot call", "action", call.Action, "code", call.Code, "httpStatus", call.HTTPStatus,
		"requestId", call.RequestID, "accessKeyId", call.AccessKeyID, "dropped", call.Dropped)
	if dropped {
		dropConnection(w)
		return
	}
	writeJSON(w, ans.status, req.requestID, ans.body)
}

// handle runs one API call through the same stages as the platform: request parsing, injected
// faults, the gateway (signature, version, action, rate limit), then the IoT service. It returns
// dropped=true when a fault closed the connection without an answer.
func (s *Server) handle(req *apiRequest, call *Call) (ans answer, dropped bool) {
	r := req.http
	if r.Body != nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			return req.gatewayFailure(http.StatusBadRequest, "InvalidParameter", "The request body could not be read."), false
		}
		req.body = body
	}
	req.params = url.Values{}
	for k, vs := range req.query {
		req.params[k] = append(req.params[k], vs...)
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(string(req.body))
		if err != nil {
			return req.gatewayFailure(http.StatusBadRequest, "InvalidParameter", "The form body is not well formed."), false
		}
		for k, vs := range form {
			req.params[k] = append(req.params[k], vs...)
		}
	}
	// V3 carries the action and version in headers, V1 in parameters.
	req.action = firstNonEmpty(r.Header.Get("x-acs-action"), req.params.Get("Action"))
	req.version = firstNonEmpty(r.Header.Get("x-acs-version"), req.params.Get("Version"))

	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return req.gatewayFailure(http.StatusMethodNotAllowed, "UnsupportedHTTPMethod", "The HTTP method "+r.Method+" is not supported."), false
	}
	if r.URL.Path != "/" {
		return req.gatewayFailure(http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."), false
	}

	if f, ok := s.faults.take(req.action, ""); ok {
		if f.LatencyMs > 0 {
			t := time.NewTimer(time.Duration(f.LatencyMs) * time.Millisecond)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
			}
		}
		if chance(f.DropRate) {
			call.Fault = "drop"
			return answer{}, true
		}
		if chance(f.ErrorRate) {
			call.Fault = "error"
			return req.injected(f), false
		}
	}

	if req.action == "" {
		return req.gatewayFailure(http.StatusBadRequest, "MissingParameter",
			`The input parameter "Action" that is mandatory for processing this request is not supplied.`), false
	}
	acct, sigVersion, failure := s.authenticate(req)
	call.SignatureVersion = sigVersion
	call.AccessKeyID = acct.AccessKeyID
	if failure != nil {
		return *failure, false
	}
	if f, ok := s.faults.take(req.action, acct.AccessKeyID); ok && chance(f.ErrorRate) {
		call.Fault = "error"
		return req.injected(f), false
	}
	if req.action == ActionGetCallerIdentity && req.version == STSVersion {
		return s.getCallerIdentity(req, acct), false // STS, served beside the IoT API (sts.go)
	}
	if req.version != APIVersion {
		return req.gatewayFailure(http.StatusBadRequest, "InvalidVersion", "Specified parameter Version is not valid."), false
	}
	handler, ok := actions[req.action]
	if !ok {
		return req.gatewayFailure(http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."), false
	}
	if !s.limiter.allow(acct.UID, req.action, s.qps[req.action], s.now()) {
		return req.gatewayFailure(http.StatusBadRequest, "Throttling.User", "Request was denied due to user flow control."), false
	}
	// "If the product of the value of CurrentPage and the value of PageSize is greater than or
	// equal to 100,000, the QPS of this operation decreases. In this case, each Alibaba Cloud
	// account can run up to 2 QPS." (help.aliyun.com/document_detail/69271)
	if req.action == ActionQueryProductList && deepPage(req.params) &&
		!s.limiter.allow(acct.UID, LimitQueryProductListDeep, s.qps[LimitQueryProductListDeep], s.now()) {
		return req.gatewayFailure(http.StatusBadRequest, "Throttling.User", "Request was denied due to user flow control."), false
	}
	return handler(s, req, acct), false
}

// deepPage says that a QueryProductList call reads a page where CurrentPage x PageSize >=
// DeepPageThreshold. Parameters the action refuses are not deep; dividing, not multiplying,
// keeps a huge CurrentPage from overflowing.
func deepPage(params url.Values) bool {
	page, err1 := strconv.Atoi(params.Get("CurrentPage"))
	size, err2 := strconv.Atoi(params.Get("PageSize"))
	if err1 != nil || err2 != nil || page < 1 || size < 1 {
		return false
	}
	return page >= (DeepPageThreshold+size-1)/size
}

// dropConnection closes the client's connection without an answer, as a network failure or a
// crashed gateway would.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	// HTTP/2 cannot hijack: aborting the handler resets the stream, which the client sees the same way.
	panic(http.ErrAbortHandler)
}

func writeJSON(w http.ResponseWriter, status int, requestID string, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"Code":"InternalError","Message":"The simulator could not encode its answer."}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=utf-8")
	if requestID != "" {
		h.Set("x-acs-request-id", requestID)
	}
	w.WriteHeader(status)
	w.Write(b)
}

// secretParams are never written to the call log: the signature, and credentials some clients
// put in parameters.
var secretParams = map[string]bool{
	"Signature":       true,
	"SecurityToken":   true,
	"AccessKeySecret": true,
	"BearerToken":     true,
}

func loggableParams(params url.Values) map[string]string {
	out := make(map[string]string, len(params))
	for k, vs := range params {
		if secretParams[k] || len(vs) == 0 {
			continue
		}
		out[k] = strings.Join(vs, ",")
	}
	return out
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// store holds the products. One mutex is enough: every operation is a few map lookups.
type store struct {
	mu       sync.Mutex
	products map[string]*product // by ProductKey, unique across accounts as on the platform
	names    map[nameKey]string  // name -> ProductKey within one account and instance
	counts   map[scope]int       // products per account and instance, for the quota
	seq      uint64              // creation order, to list newest first
}

func (st *store) init() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.products = map[string]*product{}
	st.names = map[nameKey]string{}
	st.counts = map[scope]int{}
	st.seq = 0
}
