package devenv

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
)

// A manager killed on purpose is gone at once, even one that would ignore SIGTERM, and is no
// longer counted: Exited reports only ends nobody asked for.
func TestAKilledManagerIsGoneAndNotReportedAsExited(t *testing.T) {
	sh, err := exec.LookPath("sh")
	must(t, err)
	e := &Env{}
	var procs []*ManagerProcess
	for _, name := range []string{"killed", "running"} {
		c, err := startChild(name, filepath.Join(t.TempDir(), name+".log"), sh, "-c", `trap "" TERM; sleep 300`)
		must(t, err)
		t.Cleanup(func() { _ = c.kill() })
		m := &ManagerProcess{env: e, child: c}
		e.managers = append(e.managers, m)
		procs = append(procs, m)
	}

	must(t, procs[0].Kill())
	select {
	case <-procs[0].child.done:
	default:
		t.Fatal("Kill returned before the process ended")
	}
	if got := e.Managers(); len(got) != 1 || got[0] != procs[1] {
		t.Errorf("after the kill the environment runs %d managers, want only the other one", len(got))
	}
	if err := e.Exited(); err != nil {
		t.Errorf("Exited reports the manager killed on purpose: %v", err)
	}

	if err := procs[1].Exited(); err != nil {
		t.Errorf("a running manager reports an exit: %v", err)
	}
	if _, err := procs[1].Restart(context.Background()); err == nil {
		t.Error("Restart replaced a manager that still runs")
	}

	// The same end, not asked for, is reported, by the environment and by the manager.
	must(t, procs[1].child.kill())
	if err := e.Exited(); err == nil {
		t.Error("Exited does not report a manager that ended by itself")
	}
	if err := procs[1].Exited(); err == nil {
		t.Error("the manager that ended by itself does not say so")
	}
	if err := procs[1].Kill(); err == nil {
		t.Error("killing a manager that had already ended is no error: its end would go unreported")
	}
}
