package faults

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
)

// recordingProxy stands between the manager and one simulator and records the signature of
// every request, so the scan can look for the exact values rather than for their shape. It
// passes faults on faithfully: a connection the simulator drops is dropped, a request the
// manager gives up on is given up on upstream (the simulator then acts and its answer is
// lost), and the Host header is kept, since Alibaba's signature covers it.
type recordingProxy struct {
	*httptest.Server
	signatures *signatureRecorder
	upstream   atomic.Pointer[url.URL]
}

func newRecordingProxy() *recordingProxy {
	p := &recordingProxy{signatures: &signatureRecorder{seen: map[string]bool{}}}
	forward := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(p.upstream.Load())
			r.Out.Host = r.In.Host
		},
		ErrorHandler: func(http.ResponseWriter, *http.Request, error) {
			panic(http.ErrAbortHandler) // closes the manager's connection without an answer
		},
	}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.upstream.Load() == nil {
			http.Error(w, "the recording proxy has no upstream yet", http.StatusBadGateway)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		p.signatures.record(r, body)
		forward.ServeHTTP(w, r)
	}))
	return p
}

func (p *recordingProxy) forwardTo(rawURL string) {
	u, err := url.Parse(rawURL)
	if err != nil {
		panic(err)
	}
	p.upstream.Store(u)
}

// signatureRecorder keeps every signature seen: Alibaba's V3 (in the Authorization header)
// and V1 (the Signature parameter), and Flipsnack's (the signature form field).
type signatureRecorder struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (s *signatureRecorder) record(r *http.Request, body []byte) {
	var sigs []string
	if auth := r.Header.Get("Authorization"); auth != "" {
		// ACS3-HMAC-SHA256 Credential=...,SignedHeaders=...,Signature=<hex>
		if _, sig, ok := strings.Cut(auth, "Signature="); ok {
			sigs = append(sigs, sig)
		}
	}
	params := r.URL.Query()
	if form, err := url.ParseQuery(string(body)); err == nil {
		for k, v := range form {
			params[k] = append(params[k], v...)
		}
	}
	sigs = append(append(sigs, params["Signature"]...), params["signature"]...)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sig := range sigs {
		if sig != "" {
			s.seen[sig] = true
		}
	}
}

// all returns the signatures seen so far.
func (s *signatureRecorder) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.seen))
	for sig := range s.seen {
		out = append(out, sig)
	}
	return out
}
