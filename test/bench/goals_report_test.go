package bench

import (
	"strings"
	"testing"
	"time"
)

// A deletion is judged against its release floor of the same run, with the manager's CPU per
// deletion beside it; without a release floor, against the ConfigMaps' deletion. This runs in
// `make test`, with no environment: the report's arithmetic, not the machine.
func TestDeletionsAreJudgedAgainstTheirReleaseFloor(t *testing.T) {
	r := results{
		deletes: []timed{
			{n: 1000, how: "kubectl delete --all", took: 8 * time.Second, floor: 2 * time.Second, use: cpuUse{machine: 14 * time.Second, manager: 2500 * time.Millisecond}},
			{n: 5000, how: "kubectl delete --all", took: 60 * time.Second, floor: 11 * time.Second, use: cpuUse{manager: 15 * time.Second}},
		},
		releases: []timed{{n: 1000, how: "kubectl delete --all", took: 7 * time.Second, use: cpuUse{machine: 12 * time.Second}}},
	}
	report := r.goals()
	for _, want := range []string{
		"| bulk delete of 1000 (kubectl delete --all), all gone and off the platform | 8.0 s; manager CPU 2.5 ms per deletion | <= 1.15 × 7.0 s (the release floor of this run) | 0.99 | yes |",
		"| bulk delete of 5000 (kubectl delete --all), all gone and off the platform | 60.0 s; manager CPU 3.0 ms per deletion | <= 1.5 × 11.0 s (the same deletion of N ConfigMaps; no release floor measured) | 3.64 | **no** |",
		"| 1000 (kubectl delete --all) | 8.0 s | 7.0 s | 1.14 |",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks\n%s\n in:\n%s", want, report)
		}
	}
}
