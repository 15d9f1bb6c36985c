package alibabaiot

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// Signature versions, as written to the call log.
const (
	SignatureV3 = "v3" // ACS3-HMAC-SHA256 in the Authorization header
	SignatureV1 = "v1" // HMAC-SHA1 Signature parameter
)

// v3Algorithm is the only V3 algorithm the simulator verifies; the SDK's default.
const v3Algorithm = "ACS3-HMAC-SHA256"

// timestampLayout is the UTC ISO 8601 form both signature versions use.
const timestampLayout = "2006-01-02T15:04:05Z"

// v3RequiredHeaders must be among the signed headers of a V3 request: the documentation asks
// that every common header present be signed, and the SDK always sends these.
var v3RequiredHeaders = []string{"host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"}

// authenticate verifies the request's signature and returns the account it belongs to and the
// signature version used. A failure is the gateway's answer.
func (s *Server) authenticate(req *apiRequest) (Account, string, *answer) {
	if auth := req.http.Header.Get("Authorization"); strings.HasPrefix(auth, "ACS3-") {
		acct, failure := s.verifyV3(req, auth)
		return acct, SignatureV3, failure
	}
	if req.params.Has("Signature") {
		acct, failure := s.verifyV1(req)
		return acct, SignatureV1, failure
	}
	fail := req.gatewayFailure(http.StatusBadRequest, "IncompleteSignature", "The request signature does not conform to Aliyun standards.")
	return Account{}, "", &fail
}

// verifyV3 checks an ACS3-HMAC-SHA256 request (signature method V3):
//
//	CanonicalRequest = Method \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n HashedPayload
//	StringToSign     = "ACS3-HMAC-SHA256" \n hex(SHA256(CanonicalRequest))
//	Signature        = hex(HMAC-SHA256(AccessKeySecret, StringToSign))
func (s *Server) verifyV3(req *apiRequest, auth string) (Account, *answer) {
	fail := func(status int, code, msg string) (Account, *answer) {
		a := req.gatewayFailure(status, code, msg)
		return Account{}, &a
	}
	algorithm, rest, _ := strings.Cut(auth, " ")
	if algorithm != v3Algorithm {
		return fail(http.StatusBadRequest, "IncompleteSignature", "The signature algorithm "+algorithm+" is not supported.")
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok {
			fields[k] = v
		}
	}
	keyID, signedList, signature := fields["Credential"], fields["SignedHeaders"], fields["Signature"]
	if keyID == "" || signedList == "" || signature == "" {
		return fail(http.StatusBadRequest, "IncompleteSignature", "The request signature does not conform to Aliyun standards.")
	}
	acct, ok := s.accounts[keyID]
	if !ok {
		return fail(http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
	}
	h := req.http.Header

	signed := strings.Split(strings.ToLower(signedList), ";")
	sort.Strings(signed)
	for _, name := range v3RequiredHeaders {
		if !contains(signed, name) {
			return fail(http.StatusBadRequest, "IncompleteSignature", "The header "+name+" must be signed.")
		}
	}
	if failure := s.checkTimestamp(req, h.Get("x-acs-date")); failure != nil {
		return Account{}, failure
	}
	if h.Get("x-acs-security-token") != acct.SecurityToken {
		return fail(http.StatusBadRequest, "InvalidSecurityToken.Mismatch", "Specified SecurityToken does not match the access key.")
	}

	sum := sha256.Sum256(req.body)
	payloadHash := hex.EncodeToString(sum[:])
	if !strings.EqualFold(h.Get("x-acs-content-sha256"), payloadHash) {
		return fail(http.StatusBadRequest, "SignatureDoesNotMatch", "The x-acs-content-sha256 header does not match the request body.")
	}

	stringToSign := v3StringToSign(v3CanonicalRequest(req.http, req.query, signed, payloadHash))
	mac := hmac.New(sha256.New, []byte(acct.AccessKeySecret))
	mac.Write([]byte(stringToSign))
	want := hex.EncodeToString(mac.Sum(nil))
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(signature)), []byte(want)) != 1 {
		// The platform tells the caller its string to sign: it holds no secret and is what a
		// person needs to debug a signer.
		return fail(http.StatusForbidden, "SignatureDoesNotMatch",
			"Specified signature is not matched with our calculation. server string to sign is:"+stringToSign)
	}
	if failure := s.checkNonce(req, acct.AccessKeyID, h.Get("x-acs-signature-nonce")); failure != nil {
		return Account{}, failure
	}
	return acct, nil
}

// v3CanonicalRequest builds the V3 canonical request of r. signed is the sorted, lower-case list
// of signed header names.
func v3CanonicalRequest(r *http.Request, query url.Values, signed []string, payloadHash string) string {
	uri := r.URL.EscapedPath()
	if uri == "" {
		uri = "/"
	}
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(uri)
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(query))
	b.WriteByte('\n')
	for _, name := range signed {
		var values []string
		if name == "host" {
			values = []string{r.Host}
		} else {
			for _, v := range r.Header.Values(name) {
				values = append(values, strings.TrimSpace(v))
			}
			sort.Strings(values)
		}
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(strings.Join(values, ","))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signed, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

func v3StringToSign(canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return v3Algorithm + "\n" + hex.EncodeToString(sum[:])
}

// canonicalQuery sorts the parameters by name (then value) and joins the RFC 3986-encoded
// name=value pairs with "&". V3 uses it for the query string, V1 for every parameter.
func canonicalQuery(params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		values := append([]string(nil), params[k]...)
		sort.Strings(values)
		for _, v := range values {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(percentEncode(k))
			b.WriteByte('=')
			b.WriteString(percentEncode(v))
		}
	}
	return b.String()
}

// verifyV1 checks a request signed with the legacy RPC signature (signature method V1):
//
//	StringToSign = Method & percentEncode("/") & percentEncode(canonical query of every parameter but Signature)
//	Signature    = Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))
func (s *Server) verifyV1(req *apiRequest) (Account, *answer) {
	fail := func(status int, code, msg string) (Account, *answer) {
		a := req.gatewayFailure(status, code, msg)
		return Account{}, &a
	}
	p := req.params
	if p.Get("SignatureMethod") != "HMAC-SHA1" || p.Get("SignatureVersion") != "1.0" {
		return fail(http.StatusBadRequest, "IncompleteSignature", "The request signature does not conform to Aliyun standards.")
	}
	acct, ok := s.accounts[p.Get("AccessKeyId")]
	if !ok {
		return fail(http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
	}
	if failure := s.checkTimestamp(req, p.Get("Timestamp")); failure != nil {
		return Account{}, failure
	}
	if p.Get("SecurityToken") != acct.SecurityToken {
		return fail(http.StatusBadRequest, "InvalidSecurityToken.Mismatch", "Specified SecurityToken does not match the access key.")
	}
	stringToSign := v1StringToSign(req.http.Method, p)
	want := v1Signature(acct.AccessKeySecret, stringToSign)
	if subtle.ConstantTimeCompare([]byte(p.Get("Signature")), []byte(want)) != 1 {
		return fail(http.StatusForbidden, "SignatureDoesNotMatch",
			"Specified signature is not matched with our calculation. server string to sign is:"+stringToSign)
	}
	if failure := s.checkNonce(req, acct.AccessKeyID, p.Get("SignatureNonce")); failure != nil {
		return Account{}, failure
	}
	return acct, nil
}

func v1StringToSign(method string, params url.Values) string {
	signed := url.Values{}
	for k, vs := range params {
		if k != "Signature" {
			signed[k] = vs
		}
	}
	return method + "&" + percentEncode("/") + "&" + percentEncode(canonicalQuery(signed))
}

func v1Signature(secret, stringToSign string) string {
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// checkTimestamp rejects a request whose clock is too far from ours, as the gateway does for
// both signature versions.
func (s *Server) checkTimestamp(req *apiRequest, timestamp string) *answer {
	fail := func(code, msg string) *answer {
		a := req.gatewayFailure(http.StatusBadRequest, code, msg)
		return &a
	}
	if timestamp == "" {
		return fail("MissingTimestamp", `The input parameter "Timestamp" that is mandatory for processing this request is not supplied.`)
	}
	t, err := time.Parse(timestampLayout, timestamp)
	if err != nil {
		return fail("IllegalTimestamp", `The input parameter "Timestamp" is not well formatted: `+timestamp)
	}
	if d := s.now().Sub(t); d > s.skew || d < -s.skew {
		return fail("InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
	}
	return nil
}

// checkNonce rejects a replayed request. It runs after the signature check, so a request that
// failed its signature does not use up its nonce.
func (s *Server) checkNonce(req *apiRequest, keyID, nonce string) *answer {
	fail := func(code, msg string) *answer {
		a := req.gatewayFailure(http.StatusBadRequest, code, msg)
		return &a
	}
	if nonce == "" {
		return fail("MissingSignatureNonce", `The input parameter "SignatureNonce" that is mandatory for processing this request is not supplied.`)
	}
	if s.nonces.seen(keyID+"\x00"+nonce, s.now()) {
		return fail("SignatureNonceUsed", "Specified signature nonce was used already.")
	}
	return nil
}

// percentEncode is RFC 3986 encoding as both signature versions define it: letters, digits,
// "-", "_", ".", "~" stay; every other byte of the UTF-8 text becomes %XY (upper case), so a
// space is %20 and "*" is %2A.
func percentEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// nonceCache remembers the nonces seen within the accepted clock window, in two generations so
// that memory stays bounded: a nonce is remembered for at least one period, at most two.
type nonceCache struct {
	mu        sync.Mutex
	period    time.Duration
	rotatedAt time.Time
	current   map[string]struct{}
	previous  map[string]struct{}
}

func (c *nonceCache) init(period time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.period = period
	c.rotatedAt = time.Time{}
	c.current = map[string]struct{}{}
	c.previous = map[string]struct{}{}
}

// seen records nonce and reports whether it had been recorded before.
func (c *nonceCache) seen(nonce string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rotatedAt.IsZero() {
		c.rotatedAt = now
	}
	if now.Sub(c.rotatedAt) >= c.period {
		c.previous, c.current = c.current, map[string]struct{}{}
		c.rotatedAt = now
	}
	if _, ok := c.current[nonce]; ok {
		return true
	}
	if _, ok := c.previous[nonce]; ok {
		return true
	}
	c.current[nonce] = struct{}{}
	return false
}
