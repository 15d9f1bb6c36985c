package devenv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

// simulators serves both platform fakes from this process, as the simulator command would:
// their state lives in memory and goes with the environment.
type simulators struct {
	alibabaURL   string // API at /, inspection under /_sim/
	flipsnackURL string // API at /v1/, inspection under /_sim/
	servers      []*http.Server
	logFile      *os.File
}

func startSimulators(opts Options) (*simulators, error) {
	logFile, err := os.Create(filepath.Join(opts.LogDir(), "simulators.log"))
	if err != nil {
		return nil, err
	}
	// One debug line per call (action, code, RequestId, never a secret): where to look for
	// what the operator did on the platforms, besides GET /_sim/calls.
	logger := slog.New(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := opts.Credentials
	s := &simulators{logFile: logFile}

	alibaba, err := s.serve(opts.AlibabaAddr, alibabaiot.New(alibabaiot.Options{
		AccessKeyID: c.AlibabaAccessKeyID, AccessKeySecret: c.AlibabaAccessKeySecret,
		Logger: logger.With("api", "alibaba"),
	}))
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("Alibaba IoT simulator: %w", err)
	}
	flip, err := s.serve(opts.FlipsnackAddr, flipsnack.New(flipsnack.Options{
		APIKey: c.FlipsnackAPIKey, APISecret: c.FlipsnackAPISecret,
	}))
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("Flipsnack simulator: %w", err)
	}
	s.alibabaURL, s.flipsnackURL = "http://"+alibaba, "http://"+flip
	return s, nil
}

// serve listens before returning, so the address is known (port 0) and taken.
func (s *simulators) serve(addr string, h http.Handler) (string, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("%s is not free (is another `make dev` or the simulator command running?): %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	s.servers = append(s.servers, srv)
	go func() {
		if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(s.logFile, "simulator on %s stopped: %v\n", addr, err)
		}
	}()
	return l.Addr().String(), nil
}

func (s *simulators) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range s.servers {
		_ = srv.Shutdown(ctx)
	}
	_ = s.logFile.Close()
}
