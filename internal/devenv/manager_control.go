package devenv

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"syscall"
	"time"
)

// stopGrace is how long a process may take to end after SIGTERM before it is killed.
const stopGrace = 15 * time.Second

// ManagerProcess is one run of the manager binary in the environment: the one Start runs,
// or one more that StartManager added (a restart after a crash, a second replica).
//
// Starting and ending managers is meant for one goroutine, the test or program that owns the
// environment.
type ManagerProcess struct {
	// Log is the file it writes its log to; it stays after the process ends.
	Log string
	// MetricsURL is its Prometheus endpoint (leader_election_master_status says whether it
	// leads, with --leader-elect).
	MetricsURL string

	env   *Env
	child *child
	extra []string // the flags StartManager added
}

// Pid is the manager's process id.
func (m *ManagerProcess) Pid() int { return m.child.cmd.Process.Pid }

// Managers returns the managers running now, oldest first.
func (e *Env) Managers() []*ManagerProcess { return slices.Clone(e.managers) }

// StartManager runs one more manager against the same control plane and simulators, with the
// flags of the first one followed by args (a flag given again takes the later value, e.g.
// --leader-elect=true), on free ports, logging to a file of its own (manager-2.log, ...) so no
// earlier log is lost. It returns once the manager is ready; Stop ends it with the rest.
func (e *Env) StartManager(ctx context.Context, args ...string) (*ManagerProcess, error) {
	metricsAddr, err := resolvePort(AnyFreePort)
	if err != nil {
		return nil, fmt.Errorf("manager metrics: %w", err)
	}
	probeAddr, err := resolvePort(AnyFreePort)
	if err != nil {
		return nil, fmt.Errorf("manager health probes: %w", err)
	}
	logPath := filepath.Join(e.opts.LogDir(), fmt.Sprintf("manager-%d.log", e.managerRuns+1))
	return e.runManager(ctx, logPath, metricsAddr, probeAddr, args)
}

// Kill ends the manager with SIGKILL, as an OOM kill or a lost node would: none of its own
// cleanup runs (no request is finished, no leader lease released, no queued event sent).
// It returns once the process is gone. A manager that had already ended is an error (its
// end went unreported otherwise) and stays counted, so Env.Exited reports it too.
func (m *ManagerProcess) Kill() error {
	if err := m.Exited(); err != nil {
		return fmt.Errorf("before it could be killed: %w", err)
	}
	m.env.forget(m)
	return m.child.kill()
}

// Exited reports the manager's end, naming its log (a manager that loses its leader Lease
// exits); nil while it runs. Env.Exited reports only the ends of managers nobody stopped or
// killed.
func (m *ManagerProcess) Exited() error { return m.child.exited() }

// Restart starts a manager in place of m, which ended on its own, with the same flags, as a
// Deployment's kubelet restarts a container that exited: a log of its own, new ports. m is
// no longer counted among the running managers, so Env.Exited stops reporting its end.
func (m *ManagerProcess) Restart(ctx context.Context) (*ManagerProcess, error) {
	if m.Exited() == nil {
		return nil, fmt.Errorf("manager pid %d is still running: Stop or Kill it first", m.Pid())
	}
	m.env.forget(m)
	return m.env.StartManager(ctx, m.extra...)
}

// Stop ends the manager as a rolling update would: SIGTERM, then SIGKILL after a grace period.
func (m *ManagerProcess) Stop() error {
	m.env.forget(m)
	return m.child.stop(stopGrace)
}

// forget stops counting m among the running managers, so that its end, asked for, is not
// reported by Exited.
func (e *Env) forget(m *ManagerProcess) {
	e.managers = slices.DeleteFunc(e.managers, func(x *ManagerProcess) bool { return x == m })
}

// children are the processes the environment runs, managers first: the order Stop ends
// them in.
func (e *Env) children() []*child {
	var out []*child
	for _, m := range e.managers {
		out = append(out, m.child)
	}
	if e.namespaces != nil {
		out = append(out, e.namespaces)
	}
	return append(out, e.plane...) // the API server and etcd last, in that order
}

// kill sends SIGKILL to the child's process group and waits for the child to end.
func (c *child) kill() error {
	select {
	case <-c.done:
		return nil
	default:
	}
	if err := syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("killing %s: %w", c.name, err)
	}
	<-c.done
	return nil
}
