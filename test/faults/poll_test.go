package faults

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// waitUntil looks at the scenario's objects until done says the phase is over, calling each
// step (a kill schedule, say) on every look. It fails at once when an object stalls, and
// after the scale's phase timeout, with a diagnosis of what is left either way.
func (s *suite) waitUntil(t *testing.T, scenario, what string, done func(view) bool, steps ...func(view)) {
	t.Helper()
	start := time.Now()
	deadline := start.Add(s.scale.phaseTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		v, err := s.look(ctx, scenario)
		cancel()
		if err != nil {
			t.Fatalf("waiting for %s: reading the objects: %v", what, err)
		}
		if done(v) {
			t.Logf("%s after %s", what, time.Since(start).Round(100*time.Millisecond))
			return
		}
		if stalled := v.stalled(); len(stalled) > 0 {
			s.failWithDiagnosis(t, v, fmt.Sprintf("waiting for %s: %d object(s) stalled, which no injected fault should cause:\n  %s",
				what, len(stalled), strings.Join(stalled, "\n  ")))
		}
		// Leader-elected managers that ended on their own (a leader that lost its Lease) are
		// started again, as their Deployment would; any other end fails the scenario.
		if s.replicas != nil {
			s.replicas.keep(t, context.Background())
		}
		if err := s.env.Exited(); err != nil {
			s.failWithDiagnosis(t, v, fmt.Sprintf("waiting for %s: %v", what, err))
		}
		if time.Now().After(deadline) {
			s.failWithDiagnosis(t, v, fmt.Sprintf("%s did not happen within %s", what, s.scale.phaseTimeout))
		}
		for _, step := range steps {
			step(v)
		}
		time.Sleep(s.scale.pollInterval)
	}
}

// failWithDiagnosis ends the test saying which objects and which products are left, and how
// to replay the run's choices.
func (s *suite) failWithDiagnosis(t *testing.T, v view, problem string) {
	t.Helper()
	t.Fatalf("%s\nobjects not Ready or being deleted (%d of %d objects):\n%s\non the platforms: %s\nseed %d (FAULT_SUITE_SEED=%d replays the choices); the managers' logs are in %s",
		problem, v.count()-v.readyAndLive(), v.count(), v.unfinished(40), s.platformSummary(), s.seed, s.seed, s.logDir)
}

// platformSummary says in a few lines what the simulators hold.
func (s *suite) platformSummary() string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	products, err := s.alibaba.Products(ctx)
	if err != nil {
		return err.Error()
	}
	feeds, err := s.flipsnack.Feeds(ctx)
	if err != nil {
		return err.Error()
	}
	var names []string
	for _, p := range products {
		names = append(names, p.ProductName+"="+p.ProductKey)
	}
	var hashes []string
	for _, f := range feeds {
		hashes = append(hashes, fmt.Sprintf("%s (%d SKUs)", f.SourceHash, len(f.SKUs)))
	}
	return fmt.Sprintf("%d IoT product(s) %s; %d feed(s) %s", len(products), abbreviate(names, 20), len(feeds), abbreviate(hashes, 20))
}

// readyAndLive counts the objects that are Ready and not being deleted.
func (v view) readyAndLive() int {
	n := 0
	for _, o := range v.all() {
		if isReady(o) && o.GetDeletionTimestamp() == nil {
			n++
		}
	}
	return n
}
