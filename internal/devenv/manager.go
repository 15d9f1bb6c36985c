package devenv

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"time"
)

// managerReadyTimeout bounds the manager's start until its readiness probe answers.
const managerReadyTimeout = 60 * time.Second

// startManager runs the manager binary against the control plane and the simulators, with
// a user of its own, and returns once its readiness probe answers.
func (e *Env) startManager(ctx context.Context, metricsAddr, probeAddr string) error {
	kubeconfig := filepath.Join(e.opts.StateDir, "manager.kubeconfig")
	if _, err := writeKubeconfig(e.controlPlane, "product-lifecycle-operator", kubeconfig); err != nil {
		return err
	}
	args := append([]string{
		"--kubeconfig=" + kubeconfig,
		"--alibaba-endpoint=" + e.AlibabaEndpoint,
		"--flipsnack-endpoint=" + e.FlipsnackEndpoint,
		"--metrics-bind-address=" + metricsAddr,
		"--health-probe-bind-address=" + probeAddr,
		"--leader-elect=false",
	}, e.opts.ManagerArgs...)
	m, err := startChild("manager", e.ManagerLog, e.opts.ManagerBinary, args...)
	if err != nil {
		return err
	}
	e.manager = m
	return waitReady(ctx, m, "http://"+probeAddr+"/readyz")
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
