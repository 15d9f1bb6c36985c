package devenv

import (
	"context"
	"errors"
)

// The benchmarks follow one manager at a time: the oldest running one.

// ManagerPID is the process id of the oldest running manager (started directly, never through
// a wrapper), so benchmarks can read its /proc/<pid>/status and /proc/<pid>/stat; 0 when none runs.
func (e *Env) ManagerPID() int {
	if len(e.managers) == 0 {
		return 0
	}
	return e.managers[0].Pid()
}

// ManagerMetricsURL is the oldest running manager's Prometheus endpoint, e.g.
// http://127.0.0.1:40123/metrics; "" when none runs.
func (e *Env) ManagerMetricsURL() string {
	if len(e.managers) == 0 {
		return ""
	}
	return e.managers[0].MetricsURL
}

// RestartManager stops the oldest running manager and starts another with the same flags
// followed by extraArgs (a flag given twice takes its last value), returning once it is ready.
// A fresh process starts its peak-memory and CPU counters from zero.
func (e *Env) RestartManager(ctx context.Context, extraArgs ...string) error {
	if len(e.managers) == 0 {
		return errors.New("no manager is running")
	}
	if err := e.managers[0].Stop(); err != nil {
		return err
	}
	_, err := e.StartManager(ctx, extraArgs...)
	return err
}
