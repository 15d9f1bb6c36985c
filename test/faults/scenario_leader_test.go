package faults

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/internal/devenv"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// leaseName is the manager's LeaderElectionID (main.go).
const leaseName = "product-lifecycle-operator.prodlife.dev"

// The Lease timings of the two replicas: short, so that the standby takes over within
// seconds of the leader's death, yet with room for a renewal on a busy machine.
var leaderArgs = []string{
	"--leader-elect=true",
	"--leader-elect-lease-duration=8s",
	"--leader-elect-renew-deadline=6s",
	"--leader-elect-retry-period=1s",
}

// leaderKilledMidDeletion: two managers share a Lease; once a batch is being deleted, the
// leader is killed outright (it cannot release the Lease), and the standby must take over
// and finish, with nothing left, created twice or deleted unreported.
func (s *suite) leaderKilledMidDeletion(t *testing.T) {
	const scenario = "s2"
	const ns = "faults-s2"
	ctx, cancel := context.WithTimeout(context.Background(), 2*s.scale.phaseTimeout)
	defer cancel()
	s.createNamespaces(t, ctx, ns)

	// The environment's manager runs without leader election: it steps aside for the pair,
	// and comes back once they are done.
	defer s.restoreOneManager(t)
	pair := s.startReplicas(t, ctx, leaderArgs)
	leader := s.waitForLeader(t, ctx, pair.managers)
	t.Logf("pid %d leads, pid %d stands by", leader.Pid(), other(pair.managers, leader).Pid())

	rng := s.rand("scenario 2")
	b := newBatch(rng, scenario, []string{ns}, s.scale.leaderProducts, s.scale.leaderFeeds, s.scale.minSKUs, s.scale.minSKUs*3)
	// More latency than in scenario 1, so that the batch's deletion lasts long enough to be
	// interrupted.
	stopChaos := s.startChaos(t, s.rand("scenario 2 faults"), chaosConfig{maxIoTLatency: 200 * time.Millisecond, maxFeedLatency: 500 * time.Millisecond})
	defer stopChaos()
	s.create(t, ctx, b)
	s.waitUntil(t, scenario, "every object Ready", func(v view) bool { return v.ready() == b.size() })
	objs := s.checkCreated(t, scenario, "")
	leader = s.waitForLeader(t, ctx, pair.managers) // still the same one, unless a renewal failed meanwhile
	lease := s.lease(t, ctx, testenv.OperatorNamespace)
	t.Logf("Lease %s/%s held by %s (%d transitions)", testenv.OperatorNamespace, leaseName, deref(lease.Spec.HolderIdentity), deref(lease.Spec.LeaseTransitions))

	s.deleteAll(t, ctx, b.objects())
	// The kill comes once a random share (up to 40%) of the batch is gone.
	killAfter := 1 + rng.IntN(max(1, b.size()*40/100))
	killed := false
	s.waitUntil(t, scenario, "every object gone after the leader's death", func(v view) bool {
		return killed && v.count() == 0
	}, func(v view) {
		if killed || b.size()-v.count() < killAfter {
			return
		}
		if v.count() == 0 {
			t.Fatalf("the batch was deleted before the leader could be killed (after %d deletions): nothing was taken over", killAfter)
		}
		// Killed for good, as on a lost node: the pair does not start it again.
		pair.kill(t, leader)
		killed = true
		t.Logf("SIGKILL to the leader (pid %d) with %d of %d objects deleted, %d being deleted", leader.Pid(), b.size()-v.count(), b.size(), v.deleting())
	})
	standby := pair.managers[0]
	if !s.leads(t, ctx, standby) {
		t.Errorf("the batch is deleted, but the standby (pid %d) does not report leading", standby.Pid())
	}
	after := s.lease(t, ctx, testenv.OperatorNamespace)
	if deref(after.Spec.HolderIdentity) == deref(lease.Spec.HolderIdentity) || deref(after.Spec.LeaseTransitions) <= deref(lease.Spec.LeaseTransitions) {
		t.Errorf("Lease before the kill held by %s (%d transitions), after by %s (%d): want another holder and one more transition",
			deref(lease.Spec.HolderIdentity), deref(lease.Spec.LeaseTransitions), deref(after.Spec.HolderIdentity), deref(after.Spec.LeaseTransitions))
	}
	stopChaos()
	s.checkDeleted(t, objs)
}

// waitForLeader returns the one manager of the pair that leads.
func (s *suite) waitForLeader(t *testing.T, ctx context.Context, pair []*devenv.ManagerProcess) *devenv.ManagerProcess {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		var leaders []*devenv.ManagerProcess
		for _, m := range pair {
			if m.Exited() != nil {
				continue // it answers no more; replicas.keep starts it again
			}
			if s.leads(t, ctx, m) {
				leaders = append(leaders, m)
			}
		}
		switch len(leaders) {
		case 1:
			return leaders[0]
		case 2:
			t.Fatalf("both managers (pids %d and %d) say they lead", pair[0].Pid(), pair[1].Pid())
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("no manager of the pair took the Lease within a minute (logs %s, %s)", pair[0].Log, pair[1].Log)
	return nil
}

// leaderGauge is controller-runtime's metric of a leader, set to 1 once it holds the Lease.
var leaderGauge = regexp.MustCompile(`(?m)^leader_election_master_status\{name="` + regexp.QuoteMeta(leaseName) + `"\} 1$`)

// leads reads the manager's metrics: does it hold the Lease?
func (s *suite) leads(t *testing.T, ctx context.Context, m *devenv.ManagerProcess) bool {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.MetricsURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("reading the metrics of pid %d: %v", m.Pid(), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the metrics of pid %d: %v", m.Pid(), err)
	}
	return leaderGauge.Match(body)
}

func (s *suite) lease(t *testing.T, ctx context.Context, ns string) *coordinationv1.Lease {
	t.Helper()
	var l coordinationv1.Lease
	if err := s.kube.Get(ctx, client.ObjectKey{Namespace: ns, Name: leaseName}, &l); err != nil {
		t.Fatalf("reading the Lease: %v", err)
	}
	return &l
}

// restoreOneManager leaves the environment as Start made it: one manager, without leader
// election.
func (s *suite) restoreOneManager(t *testing.T) {
	s.replicas = nil
	for _, m := range s.env.Managers() {
		if err := m.Stop(); err != nil {
			t.Error(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := s.env.StartManager(ctx); err != nil {
		t.Errorf("starting the manager again: %v", err)
	}
}

func other(pair []*devenv.ManagerProcess, m *devenv.ManagerProcess) *devenv.ManagerProcess {
	if pair[0] == m {
		return pair[1]
	}
	return pair[0]
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
