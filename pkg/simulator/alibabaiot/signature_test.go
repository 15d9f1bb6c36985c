package alibabaiot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestPercentEncodeFollowsRFC3986(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abcXYZ019", "abcXYZ019"},
		{"-_.~", "-_.~"},
		{"a b", "a%20b"},
		{"a*b", "a%2Ab"},
		{"a+b", "a%2Bb"},
		{"a/b=c&d", "a%2Fb%3Dc%26d"},
		{"2016-02-23T12:46:24Z", "2016-02-23T12%3A46%3A24Z"},
		{"中", "%E4%B8%AD"},
	}
	for _, tt := range tests {
		if got := percentEncode(tt.in); got != tt.want {
			t.Errorf("percentEncode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// The V1 example of the signature documentation (help.aliyun.com, "signature method V1"):
// a GET DescribeRegions call with AccessKeySecret "testsecret".
func TestV1SignatureMatchesTheDocumentedExample(t *testing.T) {
	params := url.Values{
		"Timestamp":        {"2016-02-23T12:46:24Z"},
		"Format":           {"XML"},
		"AccessKeyId":      {"testid"},
		"Action":           {"DescribeRegions"},
		"SignatureMethod":  {"HMAC-SHA1"},
		"SignatureNonce":   {"3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"},
		"Version":          {"2014-05-26"},
		"SignatureVersion": {"1.0"},
		"Signature":        {"ignored: never signed"},
	}
	const wantStringToSign = "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML" +
		"%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf" +
		"%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
	const wantSignature = "OLeaidS1JvxuMvnyHOwuJ+uX5qY="

	sts := v1StringToSign(http.MethodGet, params)
	if sts != wantStringToSign {
		t.Fatalf("string to sign:\n got %s\nwant %s", sts, wantStringToSign)
	}
	if got := v1Signature("testsecret", sts); got != wantSignature {
		t.Errorf("signature = %s, want %s", got, wantSignature)
	}
}

// A V3 request with fixed inputs, its canonical request written out by hand from the
// documentation, and its signature computed here step by step.
func TestV3CanonicalRequestAndSignature(t *testing.T) {
	const (
		secret  = "YourAccessKeySecret"
		nonce   = "3156853299f313e23d1673dc12e1703d"
		date    = "2024-05-01T08:00:00Z"
		rawQury = "ProductKey=a1BwAGV6Mmw&Description=a+b%2Ac~d%20%E4%B8%AD"
		// SHA-256 of the empty body.
		emptySHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	)
	r, _ := http.NewRequest(http.MethodPost, "https://iot.cn-shanghai.aliyuncs.com/?"+rawQury, nil)
	r.Header.Set("x-acs-action", "UpdateProduct")
	r.Header.Set("x-acs-version", "2018-01-20")
	r.Header.Set("x-acs-date", date)
	r.Header.Set("x-acs-signature-nonce", nonce)
	r.Header.Set("x-acs-content-sha256", emptySHA)
	r.Header.Set("User-Agent", "not signed")

	// Parameters sorted by name, values RFC 3986-encoded (space %20, * %2A, ~ kept, UTF-8 bytes);
	// headers lower-case and sorted; an empty line ends them; then the signed names and the
	// payload hash.
	const wantCanonical = "POST\n" +
		"/\n" +
		"Description=a%20b%2Ac~d%20%E4%B8%AD&ProductKey=a1BwAGV6Mmw\n" +
		"host:iot.cn-shanghai.aliyuncs.com\n" +
		"x-acs-action:UpdateProduct\n" +
		"x-acs-content-sha256:" + emptySHA + "\n" +
		"x-acs-date:" + date + "\n" +
		"x-acs-signature-nonce:" + nonce + "\n" +
		"x-acs-version:2018-01-20\n" +
		"\n" +
		"host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n" +
		emptySHA
	signed := []string{"host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"}
	got := v3CanonicalRequest(r, r.URL.Query(), signed, emptySHA)
	if got != wantCanonical {
		t.Fatalf("canonical request:\n got %q\nwant %q", got, wantCanonical)
	}

	// StringToSign = algorithm \n hex(SHA256(canonical)); Signature = hex(HMAC-SHA256(secret, StringToSign)).
	crHash := sha256.Sum256([]byte(wantCanonical))
	wantSTS := "ACS3-HMAC-SHA256\n" + hex.EncodeToString(crHash[:])
	if sts := v3StringToSign(got); sts != wantSTS {
		t.Fatalf("string to sign = %q, want %q", sts, wantSTS)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(wantSTS))
	signature := hex.EncodeToString(mac.Sum(nil))

	// The simulator accepts the request so signed, and rejects it under another secret.
	clock := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name, serverSecret, wantCode string
		wantStatus                   int
	}{
		{"right secret: the call passes the gateway (and lacks ProductName)", secret, CodeNullProductName, http.StatusOK},
		{"wrong secret", "another secret", "SignatureDoesNotMatch", http.StatusForbidden},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sim := New(Options{AccessKeyID: "YourAccessKeyId", AccessKeySecret: tt.serverSecret, Now: func() time.Time { return clock }})
			req := r.Clone(r.Context())
			req.Header.Set("Authorization", "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders="+strings.Join(signed, ";")+",Signature="+signature)
			status, body := serve(t, sim, req)
			if status != tt.wantStatus || body["Code"] != tt.wantCode {
				t.Errorf("got HTTP %d %v, want HTTP %d code %s", status, body, tt.wantStatus, tt.wantCode)
			}
		})
	}
}

func TestGatewayRejectsBadlySignedRequests(t *testing.T) {
	tests := []struct {
		name       string
		client     func(e *testEnv) *testClient
		wantStatus int
		wantCode   string
	}{
		{
			name:       "V3 with the right secret is accepted",
			client:     func(e *testEnv) *testClient { return e.client },
			wantStatus: http.StatusOK, wantCode: CodeNotExistedProduct,
		},
		{
			name:       "V1 with the right secret is accepted",
			client:     func(e *testEnv) *testClient { c := e.client; c.v1 = true; return c },
			wantStatus: http.StatusOK, wantCode: CodeNotExistedProduct,
		},
		{
			name:       "V3 signed with the wrong secret",
			client:     func(e *testEnv) *testClient { return e.newClient(testKeyID, "wrong-secret") },
			wantStatus: http.StatusForbidden, wantCode: "SignatureDoesNotMatch",
		},
		{
			name: "V1 signed with the wrong secret",
			client: func(e *testEnv) *testClient {
				c := e.newClient(testKeyID, "wrong-secret")
				c.v1 = true
				return c
			},
			wantStatus: http.StatusForbidden, wantCode: "SignatureDoesNotMatch",
		},
		{
			name:       "V3 unknown AccessKeyId",
			client:     func(e *testEnv) *testClient { return e.newClient("LTAIunknown", testSecret) },
			wantStatus: http.StatusNotFound, wantCode: "InvalidAccessKeyId.NotFound",
		},
		{
			name: "V1 unknown AccessKeyId",
			client: func(e *testEnv) *testClient {
				c := e.newClient("LTAIunknown", testSecret)
				c.v1 = true
				return c
			},
			wantStatus: http.StatusNotFound, wantCode: "InvalidAccessKeyId.NotFound",
		},
		{
			name: "a parameter changed after signing",
			client: func(e *testEnv) *testClient {
				c := e.newClient(testKeyID, testSecret)
				c.tamper = func(r *http.Request) {
					r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "a1AAAAAAAAA", "a1BBBBBBBBB", 1)
				}
				return c
			},
			wantStatus: http.StatusForbidden, wantCode: "SignatureDoesNotMatch",
		},
		{
			name: "a body that does not match x-acs-content-sha256",
			client: func(e *testEnv) *testClient {
				c := e.newClient(testKeyID, testSecret)
				c.tamper = func(r *http.Request) {
					r.Body = http.NoBody
					r.Header.Set("x-acs-content-sha256", strings.Repeat("0", 64))
				}
				return c
			},
			wantStatus: http.StatusBadRequest, wantCode: "SignatureDoesNotMatch",
		},
		{
			name: "a required header left out of SignedHeaders",
			client: func(e *testEnv) *testClient {
				c := e.newClient(testKeyID, testSecret)
				c.tamper = func(r *http.Request) {
					r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "x-acs-signature-nonce;", "", 1))
				}
				return c
			},
			wantStatus: http.StatusBadRequest, wantCode: "IncompleteSignature",
		},
		{
			name: "no signature at all",
			client: func(e *testEnv) *testClient {
				c := e.newClient(testKeyID, testSecret)
				c.tamper = func(r *http.Request) { r.Header.Del("Authorization") }
				return c
			},
			wantStatus: http.StatusBadRequest, wantCode: "IncompleteSignature",
		},
		{
			name: "a clock 20 minutes behind",
			client: func(e *testEnv) *testClient {
				c := e.newClient(testKeyID, testSecret)
				c.now = func() time.Time { return e.clock.Now().Add(-20 * time.Minute) }
				return c
			},
			wantStatus: http.StatusBadRequest, wantCode: "InvalidTimeStamp.Expired",
		},
		{
			name: "a security token the key does not have",
			client: func(e *testEnv) *testClient {
				c := e.newClient(testKeyID, testSecret)
				c.token = "some-sts-token"
				return c
			},
			wantStatus: http.StatusBadRequest, wantCode: "InvalidSecurityToken.Mismatch",
		},
		{
			name: "another API version",
			client: func(e *testEnv) *testClient {
				c := e.newClient(testKeyID, testSecret)
				c.v1 = true
				c.tamper = func(r *http.Request) {
					// Re-sign with the other version: a version check, not a signature one.
					q := r.URL.Query()
					params := map[string]string{"ProductKey": q.Get("ProductKey")}
					*r = *signV1WithVersion(e.srv.URL, "QueryProduct", params, testKeyID, testSecret, e.clock.Now(), nextNonce(), "2017-04-20")
				}
				return c
			},
			wantStatus: http.StatusBadRequest, wantCode: "InvalidVersion",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t, Options{})
			got := tt.client(e).call(ActionQueryProduct, map[string]string{"ProductKey": "a1AAAAAAAAA"})
			if got.Status != tt.wantStatus || got.code() != tt.wantCode {
				t.Fatalf("got HTTP %d %v, want HTTP %d %s", got.Status, got.Body, tt.wantStatus, tt.wantCode)
			}
			if got.Status != http.StatusOK {
				// A gateway error has the gateway's shape.
				for _, k := range []string{"RequestId", "HostId", "Code", "Message", "Recommend"} {
					if got.str(k) == "" {
						t.Errorf("gateway error without %s: %v", k, got.Body)
					}
				}
			}
		})
	}
}

func TestGatewayRejectsAReplayedNonce(t *testing.T) {
	e := newTestEnv(t, Options{})
	for i, want := range []string{CodeNotExistedProduct, "SignatureNonceUsed"} {
		req := e.client.request(ActionQueryProduct, map[string]string{"ProductKey": "a1AAAAAAAAA"}, "the-same-nonce")
		_, body := serve(t, e.sim, req)
		if body["Code"] != want {
			t.Errorf("call %d: code %v, want %s", i+1, body["Code"], want)
		}
	}
}

func TestGatewayAcceptsAnSTSTokenOfTheKey(t *testing.T) {
	e := newTestEnv(t, Options{Accounts: []Account{{AccessKeyID: "STS.key", AccessKeySecret: "sts-secret", SecurityToken: "the-token"}}})
	for _, v1 := range []bool{false, true} {
		c := e.newClient("STS.key", "sts-secret")
		c.token, c.v1 = "the-token", v1
		if got := c.call(ActionQueryProduct, map[string]string{"ProductKey": "a1AAAAAAAAA"}); got.code() != CodeNotExistedProduct {
			t.Errorf("v1=%v: got %v, want the call to pass the gateway", v1, got.Body)
		}
		c.token = "another-token"
		if got := c.call(ActionQueryProduct, map[string]string{"ProductKey": "a1AAAAAAAAA"}); got.code() != "InvalidSecurityToken.Mismatch" {
			t.Errorf("v1=%v with a wrong token: got %v", v1, got.Body)
		}
	}
}

// Parameters may come in a form body (signed by V1 with the query; hashed by V3).
func TestParametersInAFormBody(t *testing.T) {
	e := newTestEnv(t, Options{})
	c := e.client
	c.v1 = true
	created := c.call(ActionCreateProduct, map[string]string{"ProductName": "form_body", "NodeType": "0"})
	key := created.str("ProductKey")

	req := signV1(e.srv.URL, ActionQueryProduct, map[string]string{"ProductKey": key}, testKeyID, testSecret, "", e.clock.Now(), nextNonce())
	// Move every parameter but the common ones into the body.
	q := req.URL.Query()
	body := url.Values{"ProductKey": {q.Get("ProductKey")}}
	q.Del("ProductKey")
	req, _ = http.NewRequest(http.MethodPost, e.srv.URL+"/?"+q.Encode(), strings.NewReader(body.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	status, got := serve(t, e.sim, req)
	if status != http.StatusOK || got["Success"] != true {
		t.Fatalf("V1 call with a form body: HTTP %d %v", status, got)
	}
}
