package devenv

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

// simulators serves both platform fakes from this process, as the simulator command would:
// their state lives in memory and goes with the environment.
type simulators struct {
	*testenv.Simulators
	logFile *os.File
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
	sims, err := testenv.StartSimulators(alibabaiot.Options{
		AccessKeyID: c.AlibabaAccessKeyID, AccessKeySecret: c.AlibabaAccessKeySecret,
		Logger: logger.With("api", "alibaba"),
	}, opts.AlibabaAddr, flipsnack.Options{
		APIKey: c.FlipsnackAPIKey, APISecret: c.FlipsnackAPISecret,
	}, opts.FlipsnackAddr)
	if err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("%w (is another `make dev` or the simulator command running?)", err)
	}
	return &simulators{Simulators: sims, logFile: logFile}, nil
}

func (s *simulators) stop() {
	s.Close()
	_ = s.logFile.Close()
}
