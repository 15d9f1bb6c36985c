package prodlifetest

import (
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// Main runs a test package's tests with one API server for all of them, and exits with their
// result; it is all of TestMain:
//
//	func TestMain(m *testing.M) { prodlifetest.Main(m) }
//
// Every Env the tests start (without Options.Config) then shares that API server, started
// from KUBEBUILDER_ASSETS by the first Start and stopped when the tests end, each Env with its
// own namespace, simulators and manager, so tests may run in parallel (t.Parallel). Starting
// the API server costs a few seconds once per package instead of once per test; an Env on it
// costs its manager's start, well under a second.
//
// Main sets controller-runtime's process-wide logger (log.SetLogger) to a silent one before
// the tests run: its caches and envtest log there, whatever a manager's logger, and without
// one it prints a warning with a stack trace after 30 s. A test may set another. (Start alone
// changes no process-wide state; a suite without Main sets that logger itself.)
//
// Main also makes etcd and kube-apiserver die with the test binary however it ends, a test's
// panic or the -timeout of `go test` included, which no cleanup function survives: it must
// be the first call of TestMain, because the kit starts them through this very binary to arm
// that (see the parent-death signal, prctl(2), on Linux; elsewhere they are stopped by the
// cleanup functions only).
func Main(m *testing.M) {
	testenv.HandleReexec()
	ctrllog.SetLogger(logr.New(ctrllog.NullLogSink{}))
	shared.running = true
	code := m.Run()
	if err := shared.stop(); err != nil {
		fmt.Fprintf(os.Stderr, "prodlifetest: stopping the shared API server: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// shared is the API server of a package whose tests run through Main.
var shared sharedServer

type sharedServer struct {
	running bool // set by Main before any test runs
	once    sync.Once
	env     *testenv.Env
	server  *server
	err     error
}

// get starts the shared API server for the first test that needs it; a failure to start is
// every later test's failure too.
func (s *sharedServer) get() (*server, error) {
	s.once.Do(func() {
		if s.env, s.err = testenv.StartAPIServer(); s.err != nil {
			return
		}
		s.server, s.err = prepare(s.env)
	})
	if s.err != nil {
		return nil, fmt.Errorf("the package's shared API server: %w", s.err)
	}
	return s.server, nil
}

// stop stops the shared API server if a test started it.
func (s *sharedServer) stop() error {
	if s.env == nil {
		return nil
	}
	return s.env.Stop()
}
