package faults

import (
	"context"
	"testing"
	"time"
)

// Kill moments: the phase's progress (0 to 1) is cut into as many slots as there are kills,
// and each kill comes at a random point of its slot, below lastKillAt so that the last one
// lands while work remains. Kills so land anywhere in the work: mid-call, between a call and
// the write that records it, while a restarted manager is still catching up, and spread over
// the phase rather than bunched at its start.
const (
	lastKillAt = 0.8
	// minCrashGap lets a restarted manager get going before the next kill.
	minCrashGap = 300 * time.Millisecond
)

// crashSchedule kills the manager with SIGKILL and starts a new one, a set number of times
// during one phase.
type crashSchedule struct {
	s         *suite
	t         *testing.T
	phase     string
	progress  func(view) float64
	start     time.Time
	at        []float64 // the progress at which each kill left is due, ascending
	notBefore time.Time
	done      int
}

func (s *suite) newCrashSchedule(t *testing.T, phase string, kills int, progress func(view) float64) *crashSchedule {
	rng := s.rand("crashes during " + phase)
	c := &crashSchedule{s: s, t: t, phase: phase, progress: progress, start: time.Now()}
	for k := range kills {
		c.at = append(c.at, (float64(k)+rng.Float64())/float64(kills)*lastKillAt)
	}
	return c
}

// step kills and restarts the manager when the next kill is due; it is a waitUntil step.
func (c *crashSchedule) step(v view) {
	if len(c.at) == 0 || time.Now().Before(c.notBefore) || c.progress(v) < c.at[0] {
		return
	}
	c.t.Helper()
	managers := c.s.env.Managers()
	if len(managers) != 1 {
		c.t.Fatalf("%s: want one manager to kill, %d are running", c.phase, len(managers))
	}
	old := managers[0]
	if err := old.Kill(); err != nil {
		c.t.Fatal(err)
	}
	killedAt := time.Since(c.start)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	m, err := c.s.env.StartManager(ctx)
	if err != nil {
		c.t.Fatalf("%s: restarting the manager after a kill: %v", c.phase, err)
	}
	c.done++
	c.t.Logf("%s: kill %d at +%s, %.0f%% done (due at %.0f%%; %d objects, %d Ready, %d being deleted): SIGKILL to pid %d, restarted as pid %d (log %s)",
		c.phase, c.done, killedAt.Round(10*time.Millisecond), 100*c.progress(v), 100*c.at[0], v.count(), v.ready(), v.deleting(), old.Pid(), m.Pid(), m.Log)
	c.at = c.at[1:]
	c.notBefore = time.Now().Add(minCrashGap)
}

// requireAll fails when the phase ended before every kill was made: the scenario would then
// claim more than it tested.
func (c *crashSchedule) requireAll() {
	c.t.Helper()
	if len(c.at) > 0 {
		c.t.Errorf("%s ended after %s with %d of %d kills made: its last %.0f%% went by between two looks",
			c.phase, time.Since(c.start).Round(100*time.Millisecond), c.done, c.done+len(c.at), 100*(1-c.at[0]))
	}
}

// deleting counts the objects being deleted.
func (v view) deleting() int {
	n := 0
	for _, o := range v.all() {
		if o.GetDeletionTimestamp() != nil {
			n++
		}
	}
	return n
}

// share is part/whole, as a fraction of the work done.
func share(part, whole int) float64 {
	if whole == 0 {
		return 1
	}
	return float64(part) / float64(whole)
}
