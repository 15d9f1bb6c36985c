package egress

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

func TestCheckEndpoint(t *testing.T) {
	tests := []struct {
		endpoint string
		ok       bool
	}{
		{"https://iot.cn-shanghai.aliyuncs.com", true},
		{"https://api.flipsnack.com/v1/", true},
		{"HTTPS://api.flipsnack.com/v1/", true},
		{"http://127.0.0.1:18080", true},
		{"http://127.8.9.10:18080", true},
		{"http://[::1]:18081/v1/", true},
		{"http://localhost:18081/v1/", true},
		{"http://LOCALHOST/v1/", true},
		{"http://[::ffff:127.0.0.1]:18080", true},
		{"http://api.flipsnack.com/v1/", false},
		{"http://iot.cn-shanghai.aliyuncs.com", false},
		{"http://10.0.0.1:18080", false},
		{"http://128.0.0.1", false},
		{"http://[::2]:18080", false},
		{"http://0.0.0.0:18080", false},
		{"http://localhost.example.com/", false},
		{"http://127.0.0.1.example.com/", false},
		{"ftp://127.0.0.1/", false},
		{"/v1/", false},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint, func(t *testing.T) {
			u, err := url.Parse(tt.endpoint)
			if err != nil {
				t.Fatal(err)
			}
			err = CheckEndpoint(u)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckEndpoint(%s) = %v, want ok %v", tt.endpoint, err, tt.ok)
			}
			if err != nil && strings.HasPrefix(tt.endpoint, "http:") && !strings.Contains(err.Error(), "use https") {
				t.Errorf("the error does not say what to do: %v", err)
			}
		})
	}
}

// A client with RefuseRedirects stops at a 302: the caller gets a *RedirectError naming the
// status and where it pointed, and the server it pointed to receives nothing.
func TestRefuseRedirectsSendsNothingToTheTarget(t *testing.T) {
	var reached atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached.Add(1) }))
	defer target.Close()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/steal?sig=x", http.StatusFound)
	}))
	defer origin.Close()

	c := &http.Client{CheckRedirect: RefuseRedirects}
	resp, err := c.Post(origin.URL, "application/x-www-form-urlencoded", strings.NewReader("apiKey=k&signature=s"))
	if resp != nil {
		resp.Body.Close()
	}
	var redirect *RedirectError
	if !errors.As(err, &redirect) {
		t.Fatalf("got %v, want a *RedirectError", err)
	}
	if redirect.Status != http.StatusFound || redirect.Location != target.URL+"/steal" {
		t.Errorf("got %+v, want status 302 and location %s/steal without the query", redirect, target.URL)
	}
	if !strings.Contains(err.Error(), "redirect refused") {
		t.Errorf("error %q does not say the redirect was refused", err)
	}
	if n := reached.Load(); n != 0 {
		t.Errorf("the redirect's target received %d requests, want none", n)
	}
}
