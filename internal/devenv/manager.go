package devenv

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"time"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// managerReadyTimeout bounds the manager's start until its readiness probe answers.
const managerReadyTimeout = 60 * time.Second

// installOperator installs the operator (testenv's InstallOperator, as every environment
// does) and writes the manager's kubeconfig: as installed (Options.AsInstalled), the
// ServiceAccount, RBAC and policies of config/default and a token of that ServiceAccount;
// otherwise the admission policies trusting testenv.ManagerUser, a user of system:masters.
func (e *Env) installOperator(ctx context.Context) error {
	identity, ttl := testenv.AsAdmin, time.Duration(0)
	if e.opts.AsInstalled {
		identity, ttl = testenv.AsRendered, e.opts.ManagerTokenTTL
		if ttl <= 0 {
			ttl = 24 * time.Hour
		}
	}
	if err := e.controlPlane.InstallOperator(ctx, identity, ttl); err != nil {
		return err
	}
	user := testenv.ManagerUser
	if e.opts.AsInstalled {
		user = kubeconfigContext
	}
	return testenv.WriteKubeconfig(e.controlPlane.ManagerConfig, kubeconfigContext, user, e.managerKubeconfig())
}

// startManager runs the manager binary against the control plane and the simulators, as the
// identity installOperator chose, and returns once its readiness probe answers.
func (e *Env) startManager(ctx context.Context, metricsAddr, probeAddr string) error {
	_, err := e.runManager(ctx, e.ManagerLog, metricsAddr, probeAddr, nil)
	return err
}

// ManagerKubeconfig is the file of the manager's identity: `kubectl --kubeconfig` it to try
// what the manager may do.
func (e *Env) ManagerKubeconfig() string { return e.managerKubeconfig() }

func (e *Env) managerKubeconfig() string { return filepath.Join(e.opts.StateDir, "manager.kubeconfig") }

// runManager starts one manager process with the environment's flags, then Options.ManagerArgs,
// then extra (a flag given twice takes the later value), and returns once its readiness probe
// answers. The environment keeps track of it until it is stopped or killed.
func (e *Env) runManager(ctx context.Context, logPath, metricsAddr, probeAddr string, extra []string) (*ManagerProcess, error) {
	args := append(e.simulators.ManagerArgs(),
		"--kubeconfig="+e.managerKubeconfig(),
		"--metrics-bind-address="+metricsAddr,
		// Plain HTTP on 127.0.0.1, so that `make dev` users and the tests read the metrics
		// without a token: the manager serves HTTPS with authentication by default.
		"--metrics-secure=false",
		"--health-probe-bind-address="+probeAddr,
		"--leader-elect=false",
	)
	args = append(append(args, e.opts.ManagerArgs...), extra...)
	c, err := startChild("manager", logPath, e.opts.ManagerBinary, args...)
	if err != nil {
		return nil, err
	}
	e.managerRuns++
	m := &ManagerProcess{Log: logPath, MetricsURL: "http://" + metricsAddr + "/metrics", env: e, child: c, extra: extra}
	e.managers = append(e.managers, m)
	return m, waitReady(ctx, c, "http://"+probeAddr+"/readyz")
}

func waitReady(ctx context.Context, c *child, url string) error {
	ctx, cancel := context.WithTimeout(ctx, managerReadyTimeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if err := c.exited(); err != nil {
			return err
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s did not become ready at %s (see %s): %w", c.name, url, c.logName(), ctx.Err())
		case <-tick.C:
		}
	}
}
