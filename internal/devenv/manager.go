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

// installOperator installs what the manager's identity needs and writes the manager's
// kubeconfig: as installed (Options.AsInstalled), the ServiceAccount, RBAC and policies of
// config/default and a token of that ServiceAccount; otherwise the admission policies trusting
// managerUser, a user of system:masters.
func (e *Env) installOperator(ctx context.Context) error {
	if !e.opts.AsInstalled {
		if err := testenv.InstallPolicies(ctx, e.Client, testenv.AdmissionIdentities{ManagerUsernames: []string{managerUser}}); err != nil {
			return err
		}
		_, err := writeKubeconfig(e.controlPlane, managerUser, e.managerKubeconfig())
		return err
	}
	objs, err := testenv.Kustomize("config/default")
	if err != nil {
		return err
	}
	if _, err := testenv.Install(ctx, e.Client, objs, "prodlife-controller-manager", fieldManager); err != nil {
		return err
	}
	ttl := e.opts.ManagerTokenTTL
	if ttl <= 0 {
		ttl = 24 * time.Hour
	}
	cfg, err := testenv.ServiceAccountConfig(ctx, e.Client, e.Config, testenv.OperatorNamespace, testenv.OperatorServiceAccount, ttl)
	if err != nil {
		return err
	}
	return testenv.WriteTokenKubeconfig(cfg, "prodlife-dev", e.managerKubeconfig())
}

// startManager runs the manager binary against the control plane and the simulators, as the
// identity installOperator chose, and returns once its readiness probe answers.
func (e *Env) startManager(ctx context.Context, metricsAddr, probeAddr string) error {
	_, err := e.runManager(ctx, e.ManagerLog, metricsAddr, probeAddr, nil)
	return err
}

// managerUser is who the manager of the environment runs as, unless AsInstalled.
const managerUser = "product-lifecycle-operator"

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
