package devenv

import (
	"context"
	"errors"
	"strings"
	"time"
)

// ManagerPID is the process id of the running manager (started directly, never through a
// wrapper), so benchmarks can read its /proc/<pid>/status and /proc/<pid>/stat; 0 when none runs.
func (e *Env) ManagerPID() int {
	if e.manager == nil || e.manager.cmd.Process == nil {
		return 0
	}
	return e.manager.cmd.Process.Pid
}

// ManagerMetricsURL is the manager's Prometheus endpoint, e.g. http://127.0.0.1:40123/metrics.
func (e *Env) ManagerMetricsURL() string {
	return "http://" + e.managerFlag("--metrics-bind-address=") + "/metrics"
}

// RestartManager stops the manager and starts it again with the same flags followed by
// extraArgs (a flag given twice takes its last value), returning once it is ready. A fresh
// process starts its peak-memory and CPU counters from zero.
func (e *Env) RestartManager(ctx context.Context, extraArgs ...string) error {
	if e.manager == nil {
		return errors.New("no manager is running")
	}
	metricsAddr, probeAddr := e.managerFlag("--metrics-bind-address="), e.managerFlag("--health-probe-bind-address=")
	if err := e.manager.stop(15 * time.Second); err != nil {
		return err
	}
	e.manager = nil
	saved := e.opts.ManagerArgs
	e.opts.ManagerArgs = append(append([]string(nil), saved...), extraArgs...)
	defer func() { e.opts.ManagerArgs = saved }()
	return e.startManager(ctx, metricsAddr, probeAddr)
}

// managerFlag is the value of the first of the manager's own flags starting with prefix.
func (e *Env) managerFlag(prefix string) string {
	if e.manager == nil {
		return ""
	}
	for _, arg := range e.manager.cmd.Args[1:] {
		if v, ok := strings.CutPrefix(arg, prefix); ok {
			return v
		}
	}
	return ""
}
