package devenvtest

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/internal/devenv"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// Suite is what a test package keeps of its environment: the environment and whatever the
// package drives it with.
type Suite interface {
	Environment() *devenv.Env
}

// Shared is a test package's one Suite, started by the first test that needs it (a run that
// selects none, with -run, -bench or -short, starts nothing) and stopped by Main after the
// last one.
type Shared[S Suite] struct {
	// Name names the suite in messages and its work directory ("e2e", "faults").
	Name string
	// Start brings the suite up in workDir (keep the environment's state under
	// StateDir(workDir)). Main removes workDir after a passing run and keeps it, with the
	// logs, after a failing one.
	Start func(workDir string) (S, error)
	// BeforeStop, when set, runs before the environment stops: to end the suite's own watches,
	// which would otherwise hold the API server's shutdown until it is killed.
	BeforeStop func(s S)
	// AfterStop, when set, runs once the environment has stopped: to close what Start opened
	// besides it, and to say more when the run failed.
	AfterStop func(s S, failed bool)

	once    sync.Once
	suite   S
	err     error
	workDir string
}

// Main runs the package's tests, then stops the suite if one was started; it is all of
// TestMain.
func (sh *Shared[S]) Main(m *testing.M) {
	testenv.HandleReexec()
	code := m.Run()
	if sh.workDir != "" && sh.err == nil {
		if sh.BeforeStop != nil {
			sh.BeforeStop(sh.suite)
		}
		if err := sh.suite.Environment().Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping the environment:", err)
			code = 1
		}
		if sh.AfterStop != nil {
			sh.AfterStop(sh.suite, code != 0)
		}
	}
	switch {
	case sh.workDir == "":
	case code != 0:
		// The logs of the managers, the simulators and the control plane say what went wrong.
		fmt.Fprintf(os.Stderr, "%s: the environment's logs are kept in %s\n", sh.Name, filepath.Join(StateDir(sh.workDir), "logs"))
	default:
		_ = os.RemoveAll(sh.workDir)
	}
	os.Exit(code)
}

// Get returns the running suite, starting it for the first test that needs it.
func (sh *Shared[S]) Get(t *testing.T) S {
	t.Helper()
	if testing.Short() {
		t.Skipf("%s suite: skipped with -short", sh.Name)
	}
	sh.once.Do(func() {
		if sh.workDir, sh.err = os.MkdirTemp("", "prodlife-"+sh.Name+"-"); sh.err == nil {
			sh.suite, sh.err = sh.Start(sh.workDir)
		}
	})
	if sh.err != nil {
		t.Fatal(sh.err)
	}
	if err := sh.suite.Environment().Exited(); err != nil {
		t.Fatal(err)
	}
	return sh.suite
}
