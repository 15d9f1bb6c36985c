package devenv

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
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
	simOpts := testenv.SimulatorsAccepting(opts.Credentials)
	simOpts.Alibaba.Logger = logger.With("api", "alibaba")
	simOpts.AlibabaAddr, simOpts.FlipsnackAddr = opts.AlibabaAddr, opts.FlipsnackAddr
	sims, err := testenv.StartSimulators(simOpts)
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
