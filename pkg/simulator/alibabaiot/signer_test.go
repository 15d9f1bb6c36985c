package alibabaiot

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// This file is the tests' own API client: a signer written from the documented algorithms,
// independently of the simulator's verifier, so that the two check each other.

const (
	testKeyID  = "LTAI5tTestKeyId0001"
	testSecret = "TestSecret0001abcdefghijklmnop"
)

// fakeClock is a settable clock shared by the simulator and the test signer, so that rate-limit
// windows and timestamps are decided by the test, not by the machine's speed.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testEnv is a simulator behind a real HTTP server, with a client signing as testKeyID.
type testEnv struct {
	t      *testing.T
	sim    *Server
	srv    *httptest.Server
	clock  *fakeClock
	client *testClient
}

func newTestEnv(t *testing.T, opts Options) *testEnv {
	t.Helper()
	clock := newFakeClock()
	if opts.AccessKeyID == "" && len(opts.Accounts) == 0 {
		opts.AccessKeyID, opts.AccessKeySecret = testKeyID, testSecret
	}
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	sim := New(opts)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	env := &testEnv{t: t, sim: sim, srv: srv, clock: clock}
	env.client = env.newClient(testKeyID, testSecret)
	return env
}

func (e *testEnv) newClient(keyID, secret string) *testClient {
	return &testClient{t: e.t, base: e.srv.URL, keyID: keyID, secret: secret, now: e.clock.Now}
}

// testClient signs and sends API calls.
type testClient struct {
	t      *testing.T
	base   string
	keyID  string
	secret string
	token  string
	now    func() time.Time
	v1     bool // sign with V1 instead of V3
	// tamper, when set, changes the request after it is signed.
	tamper func(*http.Request)
}

var nonceSeq atomic.Int64

func nextNonce() string { return fmt.Sprintf("nonce-%d-%d", time.Now().UnixNano(), nonceSeq.Add(1)) }

// response is an API answer as a test reads it.
type response struct {
	Status int
	Body   map[string]any
}

func (r response) str(key string) string {
	v, _ := r.Body[key].(string)
	return v
}

// code is the error code of the answer, "" on success.
func (r response) code() string { return r.str("Code") }

func (r response) data() map[string]any {
	d, _ := r.Body["Data"].(map[string]any)
	return d
}

// call sends action with params and decodes the JSON answer.
func (c *testClient) call(action string, params map[string]string) response {
	c.t.Helper()
	req := c.request(action, params, nextNonce())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s: %v", action, err)
	}
	defer resp.Body.Close()
	out := response{Status: resp.StatusCode}
	if err := json.NewDecoder(resp.Body).Decode(&out.Body); err != nil {
		c.t.Fatalf("%s: decoding answer: %v", action, err)
	}
	return out
}

func (c *testClient) request(action string, params map[string]string, nonce string) *http.Request {
	c.t.Helper()
	var req *http.Request
	if c.v1 {
		req = signV1(c.base, action, params, c.keyID, c.secret, c.token, c.now(), nonce)
	} else {
		req = signV3(c.base, action, params, c.keyID, c.secret, c.token, c.now(), nonce)
	}
	if c.tamper != nil {
		c.tamper(req)
	}
	return req
}

// rfc3986 encodes as both signature documents define it.
func rfc3986(s string) string {
	return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(url.QueryEscape(s))
}

func sortedQuery(params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = rfc3986(k) + "=" + rfc3986(params[k])
	}
	return strings.Join(parts, "&")
}

// signV3 builds a POST request signed with ACS3-HMAC-SHA256, the parameters in the query string
// as the SDK sends an RPC call.
func signV3(base, action string, params map[string]string, keyID, secret, token string, now time.Time, nonce string) *http.Request {
	query := sortedQuery(params)
	u, _ := url.Parse(base)
	emptyHash := sha256.Sum256(nil)
	headers := map[string]string{
		"host":                  u.Host,
		"x-acs-action":          action,
		"x-acs-version":         APIVersion,
		"x-acs-date":            now.UTC().Format("2006-01-02T15:04:05Z"),
		"x-acs-signature-nonce": nonce,
		"x-acs-content-sha256":  hex.EncodeToString(emptyHash[:]),
	}
	if token != "" {
		headers["x-acs-security-token"] = token
		headers["x-acs-accesskey-id"] = keyID
	}
	names := make([]string, 0, len(headers))
	for k := range headers {
		names = append(names, k)
	}
	sort.Strings(names)
	var canonicalHeaders strings.Builder
	for _, k := range names {
		canonicalHeaders.WriteString(k + ":" + headers[k] + "\n")
	}
	signedHeaders := strings.Join(names, ";")
	canonicalRequest := "POST\n/\n" + query + "\n" + canonicalHeaders.String() + "\n" + signedHeaders + "\n" + headers["x-acs-content-sha256"]
	crHash := sha256.Sum256([]byte(canonicalRequest))
	stringToSign := "ACS3-HMAC-SHA256\n" + hex.EncodeToString(crHash[:])
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(stringToSign))

	req, _ := http.NewRequest(http.MethodPost, base+"/?"+query, nil)
	for k, v := range headers {
		if k != "host" {
			req.Header.Set(k, v)
		}
	}
	req.Header.Set("Authorization", "ACS3-HMAC-SHA256 Credential="+keyID+",SignedHeaders="+signedHeaders+",Signature="+hex.EncodeToString(mac.Sum(nil)))
	return req
}

// signV1 builds a POST request with the legacy signature: every parameter, common ones
// included, in the query string.
func signV1(base, action string, params map[string]string, keyID, secret, token string, now time.Time, nonce string) *http.Request {
	return signV1Full(base, action, params, keyID, secret, token, now, nonce, APIVersion)
}

func signV1WithVersion(base, action string, params map[string]string, keyID, secret string, now time.Time, nonce, version string) *http.Request {
	return signV1Full(base, action, params, keyID, secret, "", now, nonce, version)
}

func signV1Full(base, action string, params map[string]string, keyID, secret, token string, now time.Time, nonce, version string) *http.Request {
	all := map[string]string{
		"Action":           action,
		"Version":          version,
		"Format":           "JSON",
		"AccessKeyId":      keyID,
		"SignatureMethod":  "HMAC-SHA1",
		"SignatureVersion": "1.0",
		"SignatureNonce":   nonce,
		"Timestamp":        now.UTC().Format("2006-01-02T15:04:05Z"),
	}
	if token != "" {
		all["SecurityToken"] = token
	}
	for k, v := range params {
		all[k] = v
	}
	canonical := sortedQuery(all)
	stringToSign := "POST&" + rfc3986("/") + "&" + rfc3986(canonical)
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(stringToSign))
	all["Signature"] = base64.StdEncoding.EncodeToString(mac.Sum(nil))
	req, _ := http.NewRequest(http.MethodPost, base+"/?"+sortedQuery(all), nil)
	return req
}

// getJSON reads an inspection endpoint.
func getJSON(t *testing.T, method, u string, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode != http.StatusNoContent {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: decoding: %v", method, u, err)
		}
	}
	return resp.StatusCode
}

// serve runs req through sim in process and decodes the answer.
func serve(t *testing.T, sim *Server, req *http.Request) (int, map[string]any) {
	t.Helper()
	if req.Body == nil {
		req.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	sim.ServeHTTP(rec, req)
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("decoding %q: %v", rec.Body.String(), err)
	}
	return rec.Code, body
}
