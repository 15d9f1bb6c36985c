package devenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// Env is a running environment.
type Env struct {
	// Kubeconfig is the file of the control plane's admin (Options.KubeconfigPath).
	Kubeconfig string
	// APIServerURL is the kube-apiserver's https URL.
	APIServerURL string
	// Config and Client reach the API server as that admin.
	Config *rest.Config
	Client client.Client

	// AlibabaURL and FlipsnackURL are the simulators' roots: each answers its inspection API
	// under /_sim/ (state, calls, faults).
	AlibabaURL, FlipsnackURL string
	// AlibabaEndpoint and FlipsnackEndpoint are the API URLs the manager was given.
	AlibabaEndpoint, FlipsnackEndpoint string
	// ManagerLog is the file the manager logs to.
	ManagerLog string

	opts         Options
	lock         *os.File // held while the environment owns its state directory
	simulators   *simulators
	controlPlane *testenv.Env
	namespaces   *child
	managers     []*ManagerProcess // running, oldest first (manager_control.go)
	managerRuns  int               // managers started so far, to name their logs
	// plane are etcd and kube-apiserver once RestartControlPlane has started them again (the
	// API server first); envtest's own processes are then dead.
	plane     []*child
	planeRuns int // restarts so far, to name their logs
}

// Simulators are every platform's simulator, served by the environment: a platform without a
// field of its own here (AlibabaURL, FlipsnackURL) is reached through them.
func (e *Env) Simulators() *testenv.Simulators { return e.simulators.Simulators }

// Start takes the state directory (one environment at a time), removes what a previous run
// left there, and brings the environment up: the simulators, etcd and kube-apiserver with the
// CRDs, the namespace controller, then the manager, returning once the manager is ready. On
// failure it stops whatever it had started.
func Start(ctx context.Context, opts Options) (_ *Env, err error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	lock, err := lockStateDir(opts.StateDir)
	if err != nil {
		return nil, err
	}
	e := &Env{opts: opts, lock: lock, Kubeconfig: opts.KubeconfigPath(), ManagerLog: filepath.Join(opts.LogDir(), "manager.log")}
	defer func() {
		if err != nil {
			_ = e.Stop()
		}
	}()

	// A previous run killed outright leaves its state behind; a fresh etcd is the point.
	if err := removeState(opts.StateDir, append(runState, "logs")...); err != nil {
		return nil, fmt.Errorf("removing the previous state: %w", err)
	}
	if err := os.MkdirAll(opts.LogDir(), 0o755); err != nil {
		return nil, err
	}
	apiServerAddr, err := resolvePort(opts.APIServerAddr)
	if err != nil {
		return nil, fmt.Errorf("API server: %w", err)
	}
	metricsAddr, err := resolvePort(opts.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("manager metrics: %w", err)
	}
	probeAddr, err := resolvePort(opts.ProbeAddr)
	if err != nil {
		return nil, fmt.Errorf("manager health probes: %w", err)
	}

	if e.simulators, err = startSimulators(opts); err != nil {
		return nil, err
	}
	e.AlibabaURL, e.FlipsnackURL = e.simulators.AlibabaURL, e.simulators.FlipsnackURL
	e.AlibabaEndpoint, e.FlipsnackEndpoint = e.AlibabaURL, e.simulators.FlipsnackEndpoint()

	if e.controlPlane, err = startControlPlane(opts, apiServerAddr); err != nil {
		return nil, err
	}
	e.APIServerURL = "https://" + apiServerAddr
	if e.Config, err = writeKubeconfig(e.controlPlane.Env, "admin", e.Kubeconfig); err != nil {
		return nil, err
	}
	if e.Client, err = client.New(e.Config, client.Options{Scheme: testenv.NewScheme()}); err != nil {
		return nil, err
	}
	if err = e.installOperator(ctx); err != nil {
		return nil, err
	}
	if e.namespaces, err = startNamespaceController(opts, e.controlPlane.Env); err != nil {
		return nil, err
	}
	if err = e.startManager(ctx, metricsAddr, probeAddr); err != nil {
		return nil, err
	}
	return e, nil
}

// Exited reports a process of the environment that ended without being asked to, or nil.
func (e *Env) Exited() error {
	for _, c := range e.children() {
		if err := c.exited(); err != nil {
			return err
		}
	}
	return nil
}

// Stop ends everything Start started, the manager first so it never sees its platforms or its
// API server vanish mid-reconcile, and removes the run's state but the logs, which stay
// until the next Start.
func (e *Env) Stop() error {
	var errs []error
	for _, c := range e.children() {
		if err := c.stop(stopGrace); err != nil {
			errs = append(errs, err)
		}
	}
	e.managers, e.namespaces, e.plane = nil, nil, nil
	if e.controlPlane != nil {
		if err := e.controlPlane.Stop(); err != nil {
			errs = append(errs, fmt.Errorf("stopping etcd and kube-apiserver: %w", err))
		}
		e.controlPlane = nil
	}
	if e.simulators != nil {
		e.simulators.stop()
		e.simulators = nil
	}
	if err := removeState(e.opts.StateDir, runState...); err != nil {
		errs = append(errs, err)
	}
	if e.lock != nil {
		_ = e.lock.Close()
		e.lock = nil
	}
	return errors.Join(errs...)
}

// runState is what a running environment keeps in its state directory besides the logs:
// etcd's data, the API server's certificates, the wrappers of testenv.DieWithParent and the
// kubeconfigs, whose keys open the API server.
var runState = []string{"etcd", "kube-apiserver", "wrappers", "kubeconfig", "manager.kubeconfig", "namespace-controller.kubeconfig"}

// removeState removes only what the environment itself writes, so a state directory given by
// mistake (a home directory, the repository) loses nothing else.
func removeState(dir string, names ...string) error {
	var errs []error
	for _, name := range names {
		errs = append(errs, os.RemoveAll(filepath.Join(dir, name)))
	}
	return errors.Join(errs...)
}
