package faults

import (
	"testing"
	"time"
)

// TestFaults runs the scenarios in order on one environment; the scan comes last, over what
// they all left in the logs, events and statuses.
func TestFaults(t *testing.T) {
	start := time.Now()
	s := environment(t)
	t.Logf("scale %s, seed %d (FAULT_SUITE_SEED=%d replays the choices); environment up after %s",
		s.scale.name, s.seed, s.seed, time.Since(start).Round(time.Second))
	for _, scenario := range []struct {
		name string
		run  func(*testing.T)
	}{
		{"CrashesDuringCreateAndDelete", s.crashesDuringCreateAndDelete},
		{"LeaderKilledMidDeletion", s.leaderKilledMidDeletion},
		{"PlatformsDownControlPlaneRestarted", s.platformsDownControlPlaneRestarted},
		{"NothingSecretIsShown", s.nothingSecretIsShown},
	} {
		began := time.Now()
		t.Run(scenario.name, scenario.run)
		t.Logf("%s took %s", scenario.name, time.Since(began).Round(time.Second))
	}
	s.requireFaultsStruck(t)
}
