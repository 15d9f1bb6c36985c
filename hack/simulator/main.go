// Command simulator serves protocol-faithful fakes of the Alibaba Cloud IoT API and the
// Flipsnack API on loopback, for `make dev`, the end-to-end tests and people trying the
// operator without a cloud account. Each also answers its inspection API under /_sim/:
// GET /_sim/state, GET /_sim/calls, PUT and DELETE /_sim/faults.
package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prodlife/product-lifecycle-operator/internal/devenv"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

func main() {
	var (
		alibabaAddr      = flag.String("alibaba-addr", "127.0.0.1:18080", "Address of the simulated Alibaba Cloud IoT API (served at /).")
		flipsnackAddr    = flag.String("flipsnack-addr", "127.0.0.1:18081", "Address of the simulated Flipsnack API (served at /v1/).")
		alibabaKeyID     = flag.String("alibaba-access-key-id", devenv.DemoCredentials.AlibabaAccessKeyID, "AccessKeyId the IoT simulator accepts.")
		alibabaKeySecret = flag.String("alibaba-access-key-secret", devenv.DemoCredentials.AlibabaAccessKeySecret, "AccessKeySecret the IoT simulator accepts.")
		flipsnackAPIKey  = flag.String("flipsnack-api-key", devenv.DemoCredentials.FlipsnackAPIKey, "apiKey the Flipsnack simulator accepts.")
		flipsnackSecret  = flag.String("flipsnack-api-secret", devenv.DemoCredentials.FlipsnackAPISecret, "API secret the Flipsnack simulator accepts.")
		verbose          = flag.Bool("v", false, "Log every call.")
	)
	flag.Parse()

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	servers := []*http.Server{
		{Addr: *alibabaAddr, Handler: alibabaiot.New(alibabaiot.Options{
			AccessKeyID: *alibabaKeyID, AccessKeySecret: *alibabaKeySecret, Logger: logger.With("api", "alibaba"),
		})},
		{Addr: *flipsnackAddr, Handler: flipsnack.New(flipsnack.Options{
			APIKey: *flipsnackAPIKey, APISecret: *flipsnackSecret,
		})},
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	failed := make(chan error, len(servers))
	for _, s := range servers {
		go func() {
			if err := s.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
				failed <- err
			}
		}()
	}
	logger.Info("simulators listening",
		"alibaba", "http://"+*alibabaAddr+"/", "flipsnack", "http://"+*flipsnackAddr+"/v1/",
		"inspect", "GET /_sim/state, GET /_sim/calls, PUT /_sim/faults")

	exit := 0
	select {
	case <-ctx.Done():
	case err := <-failed:
		logger.Error("simulator failed", "err", err)
		exit = 1
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, s := range servers {
		_ = s.Shutdown(shutdown)
	}
	os.Exit(exit)
}
