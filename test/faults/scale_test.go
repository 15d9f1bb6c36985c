package faults

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// scale is how much work the scenarios do.
type scale struct {
	name string
	// Scenario 1: objects created and deleted while the manager is killed kills times in
	// each of the two phases.
	iotProducts, feeds int
	minSKUs, maxSKUs   int // products per feed, drawn between these
	kills              int
	// Scenario 2: the batch being deleted when the leader is killed (feeds of minSKUs to
	// three times as many SKUs).
	leaderProducts, leaderFeeds int
	// Scenario 3: the batch being deleted when both platforms go down for platformDown, and
	// etcd and kube-apiserver are killed and, planeDown later, started again.
	recoveryProducts, recoveryFeeds, recoverySKUs int
	platformDown, planeDown                       time.Duration
	// pollInterval is how often a wait looks at the objects (in the suite's watch): often
	// enough to place the kills within a phase, and the precision of the times it reports.
	pollInterval time.Duration
	// phaseTimeout bounds each wait (all Ready, all deleted): generous, since it only turns a
	// hang into a failure with a diagnosis.
	phaseTimeout time.Duration
}

// scales: ci keeps `make test` within about three minutes on two shared cores; full is the
// issue's size, for `make bench`.
var scales = map[string]scale{
	"ci": {name: "ci", iotProducts: 100, feeds: 10, minSKUs: 100, maxSKUs: 1000, kills: 3,
		leaderProducts: 40, leaderFeeds: 2,
		recoveryProducts: 150, recoveryFeeds: 3, recoverySKUs: 300, platformDown: 15 * time.Second, planeDown: 2 * time.Second,
		pollInterval: 500 * time.Millisecond, phaseTimeout: 5 * time.Minute},
	"full": {name: "full", iotProducts: 500, feeds: 50, minSKUs: 100, maxSKUs: 1000, kills: 5,
		leaderProducts: 200, leaderFeeds: 10,
		recoveryProducts: 5000, recoveryFeeds: 100, recoverySKUs: 1000, platformDown: 60 * time.Second, planeDown: 10 * time.Second,
		pollInterval: time.Second, phaseTimeout: 20 * time.Minute},
}

// scaleFromEnv reads FAULT_SUITE_SCALE (default ci).
func scaleFromEnv() (scale, error) {
	name := os.Getenv("FAULT_SUITE_SCALE")
	if name == "" {
		name = "ci"
	}
	s, ok := scales[name]
	if !ok {
		return scale{}, fmt.Errorf("FAULT_SUITE_SCALE=%q: want ci or full", name)
	}
	return s, nil
}

// seedFromEnv reads FAULT_SUITE_SEED, or draws a seed from the clock.
func seedFromEnv() (uint64, error) {
	if v := os.Getenv("FAULT_SUITE_SEED"); v != "" {
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("FAULT_SUITE_SEED=%q: %w", v, err)
		}
		return seed, nil
	}
	return uint64(time.Now().UnixNano()), nil
}
