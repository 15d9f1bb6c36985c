package testenv

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

// serving are the HTTP servers of the simulators (platforms.go) in this process.
type serving []*http.Server

// serve listens before returning, so the address is known (port 0) and taken, and returns
// the server's root URL.
func (s *serving) serve(name, addr string, h http.Handler) (string, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("%s: %s is not free: %w", name, addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	*s = append(*s, srv)
	go func() {
		if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(os.Stderr, "%s on %s stopped: %v\n", name, l.Addr(), err)
		}
	}()
	return "http://" + l.Addr().String(), nil
}

// close stops every server, waiting up to five seconds for calls under way.
func (s serving) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range s {
		_ = srv.Shutdown(ctx)
	}
}
