package testenv

import (
	"testing"
	"time"
)

// Eventually polls check until it returns "" (success) or timeout passes, then fails the test
// with the last thing check said was wrong. Controllers act asynchronously, so tests against
// a real API server wait for what a user would see rather than sleep.
func Eventually(t testing.TB, timeout time.Duration, what string, check func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for time.Now().Before(deadline) {
		if last = check(); last == "" {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s: %s", what, last)
}
