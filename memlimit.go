package main

import (
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
)

// The Go runtime collects garbage when the heap has doubled since the last collection
// (GOGC=100), whatever the container's memory limit: a manager whose live heap is 60% of
// its limit can reach the limit between two collections and be killed. A soft limit below
// the container's makes the collector work harder instead as the heap nears it.

// memoryLimitEnv is where the Deployment (config/manager, the chart) passes the container's
// memory limit, in bytes, from resources.limits.memory through the downward API.
const memoryLimitEnv = "PRODLIFE_MEMORY_LIMIT"

// memoryLimitShare of the container's limit becomes the soft limit: the rest is for what the
// runtime does not count (the binary, thread stacks outside the heap) and for the moment
// between the limit being reached and the collector catching up.
const memoryLimitShare = 0.9

// setMemoryLimit sets the runtime's soft memory limit to memoryLimitShare of the container
// limit in env, unless GOMEMLIMIT names one itself (the runtime has already read it). It
// returns the limit set in bytes (0: none), or an error for a value it cannot read.
func setMemoryLimit(getenv func(string) string) (int64, error) {
	if getenv("GOMEMLIMIT") != "" {
		return 0, nil
	}
	raw := strings.TrimSpace(getenv(memoryLimitEnv))
	if raw == "" {
		return 0, nil
	}
	limit, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || limit <= 0 {
		return 0, fmt.Errorf("%s=%q: want the container's memory limit in bytes (resourceFieldRef limits.memory)", memoryLimitEnv, raw)
	}
	soft := int64(float64(limit) * memoryLimitShare)
	debug.SetMemoryLimit(soft)
	return soft, nil
}

// defaultGCPercent is the collector's pace when GOGC is not set: it collects when the heap has
// grown by half since the last collection, not doubled (Go's default, 100). The manager's
// memory is what a cluster sizes its container by, and it is mostly a live heap that grows with
// the objects held; its CPU is a few milliseconds per object created. Measured by `make bench`
// on 2 cores at 10,100 objects (test/bench/RESULTS.md): peak resident set and CPU per object
// at 50 and at Go's 100.
const defaultGCPercent = 50

// setGCPercent sets defaultGCPercent unless GOGC names a pace itself (the runtime has already
// read it). It returns the percent set (0: none).
func setGCPercent(getenv func(string) string) int {
	if getenv("GOGC") != "" {
		return 0
	}
	debug.SetGCPercent(defaultGCPercent)
	return defaultGCPercent
}
