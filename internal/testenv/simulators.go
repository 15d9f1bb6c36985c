package testenv

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
	fssim "github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

// Simulators are both platform fakes served from this process on loopback: the one way every
// environment (the test kit, make dev, the suites) runs them.
type Simulators struct {
	Alibaba   *alibabaiot.Server
	Flipsnack *fssim.Server
	// AlibabaURL and FlipsnackURL are the servers' roots: the Alibaba API is at the root, the
	// Flipsnack API under /v1/ (FlipsnackEndpoint), each inspection API under /_sim/.
	AlibabaURL, FlipsnackURL string

	servers []*http.Server
}

// FlipsnackEndpoint is the URL the operator's --flipsnack-endpoint takes: the API's root, as
// on the platform.
func (s *Simulators) FlipsnackEndpoint() string { return s.FlipsnackURL + "/v1/" }

// StartSimulators serves the simulators configured by alibaba and flipsnack on alibabaAddr and
// flipsnackAddr ("" or a port of 0: a free loopback port). Close stops them.
func StartSimulators(alibaba alibabaiot.Options, alibabaAddr string, flipsnack fssim.Options, flipsnackAddr string) (*Simulators, error) {
	s := &Simulators{Alibaba: alibabaiot.New(alibaba), Flipsnack: fssim.New(flipsnack)}
	var err error
	if s.AlibabaURL, err = s.serve(alibabaAddr, s.Alibaba); err != nil {
		s.Close()
		return nil, fmt.Errorf("Alibaba IoT simulator: %w", err)
	}
	if s.FlipsnackURL, err = s.serve(flipsnackAddr, s.Flipsnack); err != nil {
		s.Close()
		return nil, fmt.Errorf("Flipsnack simulator: %w", err)
	}
	return s, nil
}

// serve listens before returning, so the address is known (port 0) and taken.
func (s *Simulators) serve(addr string, h http.Handler) (string, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("%s is not free: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	s.servers = append(s.servers, srv)
	go func() {
		if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(os.Stderr, "simulator on %s stopped: %v\n", l.Addr(), err)
		}
	}()
	return "http://" + l.Addr().String(), nil
}

// Close stops both servers, waiting up to five seconds for calls under way.
func (s *Simulators) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range s.servers {
		_ = srv.Shutdown(ctx)
	}
}
