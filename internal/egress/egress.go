// Package egress holds the two rules every request to a platform follows, whichever client
// sends it: the endpoint is https unless it is on this machine, and a redirect is never
// followed. The operator calls the platforms on behalf of the users of every namespace with
// their keys; a redirect would send the keys (Flipsnack's apiKey in the form) and a signature
// that can be replayed to wherever the answer points, and plain http would show them to the
// network.
package egress

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// CheckEndpoint refuses an endpoint URL that is neither https nor http on a loopback host
// (127.0.0.0/8, ::1, localhost), where the simulators of tests and `make dev` listen.
func CheckEndpoint(u *url.URL) error {
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if IsLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("plain http is allowed only to a loopback host (127.0.0.0/8, ::1, localhost), not to %q: use https, so that keys and signatures do not cross the network in the clear", u.Hostname())
	default:
		return fmt.Errorf("scheme %q: want https (or http to a loopback host)", u.Scheme)
	}
}

// IsLoopback reports whether host (a name or an IP address, without a port) is this machine
// for certain: localhost, or an address in 127.0.0.0/8 or ::1. Other names may resolve
// anywhere, so they are not.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.Unmap().IsLoopback()
}

// RedirectError is the error of a request whose answer was a redirect, which the clients
// refuse to follow.
type RedirectError struct {
	// Status is the redirect's HTTP status, e.g. 302.
	Status int
	// Location is where the answer pointed, without its query, user or fragment.
	Location string
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("redirect refused: the endpoint answered HTTP %d pointing to %s; redirects are never followed, "+
		"since they would send the credentials and the request's signature again, elsewhere: check the endpoint", e.Status, e.Location)
}

// RefuseRedirects is an http.Client CheckRedirect that stops at the first redirect with a
// *RedirectError, so the redirected request is never sent. http.Client.Do then returns it
// wrapped in a *url.Error, with the redirect's body already closed.
func RefuseRedirects(req *http.Request, _ []*http.Request) error {
	status := 0
	if req.Response != nil {
		status = req.Response.StatusCode
	}
	loc := url.URL{Scheme: req.URL.Scheme, Host: req.URL.Host, Path: req.URL.Path}
	return &RedirectError{Status: status, Location: loc.String()}
}
