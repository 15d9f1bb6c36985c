package prodlifetest

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
)

// managerLogger is the logger of an Env's manager, and what to call when the test ends:
// Options.Logger if set; with LogsOnFailure, a buffer written to the test's log if it failed;
// else none (a silent sink: the manager prints nothing and asks nothing of the program's
// global logger).
func managerLogger(t testing.TB, opts Options) (logr.Logger, func()) {
	if opts.Logger.GetSink() != nil || !opts.LogsOnFailure {
		return opts.Logger, func() {}
	}
	var mu sync.Mutex
	var buf bytes.Buffer
	logger := funcr.New(func(prefix, args string) {
		mu.Lock()
		defer mu.Unlock()
		if prefix != "" {
			fmt.Fprintf(&buf, "%s: ", prefix)
		}
		fmt.Fprintln(&buf, args)
	}, funcr.Options{Verbosity: 1})
	flush := func() {
		if !t.Failed() {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		t.Logf("prodlifetest: the manager's logs (Options.LogsOnFailure):\n%s", buf.String())
	}
	return logger, flush
}
