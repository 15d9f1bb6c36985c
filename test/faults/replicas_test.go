package faults

import (
	"context"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/internal/devenv"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// replicas are two managers sharing the leader Lease, kept running as a Deployment's kubelet
// keeps its pods' containers: one that exits on its own (a leader that could not renew the
// Lease while the API server was away exits, by design) is started again. One killed on
// purpose stays dead, as on a lost node.
type replicas struct {
	managers []*devenv.ManagerProcess
	// restarts counts the managers started again after they exited on their own.
	restarts int
}

// startReplicas stops the environment's own manager (it runs without leader election) and
// starts two that share the Lease (timed by leaseArgs), in the one namespace the installed
// operator's RBAC grants Leases in. The caller restores the environment with
// restoreOneManager.
func (s *suite) startReplicas(t *testing.T, ctx context.Context, leaseArgs []string) *replicas {
	t.Helper()
	for _, m := range s.env.Managers() {
		if err := m.Stop(); err != nil {
			t.Fatal(err)
		}
	}
	args := append([]string{"--leader-election-namespace=" + testenv.OperatorNamespace}, leaseArgs...)
	r := &replicas{}
	for range 2 {
		m, err := s.env.StartManager(ctx, args...)
		if err != nil {
			t.Fatal(err)
		}
		r.managers = append(r.managers, m)
	}
	s.replicas = r
	return r
}

// keep starts again every manager that ended on its own since the last look (waitUntil calls
// it before every look).
func (r *replicas) keep(t *testing.T, ctx context.Context) {
	t.Helper()
	for i, m := range r.managers {
		exit := m.Exited()
		if exit == nil {
			continue
		}
		next, err := m.Restart(ctx)
		if err != nil {
			t.Fatalf("starting again the manager that ended (%v): %v", exit, err)
		}
		r.managers[i] = next
		r.restarts++
		t.Logf("%v: started again as pid %d", exit, next.Pid())
	}
}

// kill ends m with SIGKILL and leaves it dead.
func (r *replicas) kill(t *testing.T, m *devenv.ManagerProcess) {
	t.Helper()
	if err := m.Kill(); err != nil {
		t.Fatal(err)
	}
	for i, x := range r.managers {
		if x == m {
			r.managers = append(r.managers[:i:i], r.managers[i+1:]...)
			return
		}
	}
}
