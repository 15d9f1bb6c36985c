package devenv

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Default loopback addresses of `make dev`. The simulators' are the simulator command's own
// (hack/simulator), so the two can be swapped for each other.
const (
	DefaultAPIServerAddr = "127.0.0.1:18443"
	DefaultAlibabaAddr   = "127.0.0.1:18080"
	DefaultFlipsnackAddr = "127.0.0.1:18081"
	DefaultMetricsAddr   = "127.0.0.1:18082"
	DefaultProbeAddr     = "127.0.0.1:18083"
)

// AnyFreePort, as an address, asks Start for a free loopback port: tests use it so they never
// clash with a running `make dev` or with each other.
const AnyFreePort = "127.0.0.1:0"

// Options says where the environment keeps its files and which ports it takes.
type Options struct {
	// StateDir holds everything the environment writes: the kubeconfig, etcd's data, the API
	// server's certificates, the logs. Start removes what a previous run left there first, so
	// every run starts clean.
	StateDir string
	// AssetsDir holds etcd, kube-apiserver and kube-controller-manager (KUBEBUILDER_ASSETS).
	AssetsDir string
	// CRDDir holds the CRD manifests to install (config/crd/bases).
	CRDDir string
	// ManagerBinary is the built manager (main.go at the repository's top).
	ManagerBinary string
	// ManagerArgs are more manager flags, e.g. a shorter --stalled-retry-period for tests.
	ManagerArgs []string

	// AsInstalled installs the operator's ServiceAccount, RBAC and admission policies as
	// config/default renders them (kubectl kustomize) and runs the manager as that
	// ServiceAccount, with a token from the TokenRequest API valid for ManagerTokenTTL. Off,
	// the manager runs as a user of its own in system:masters, trusted by the policies.
	AsInstalled bool
	// ManagerTokenTTL is how long the manager's token is valid when AsInstalled; 0 means a day.
	ManagerTokenTTL time.Duration

	// Loopback addresses (host:port) of the API server, the two simulators and the manager's
	// metrics and health probes. Port 0 picks a free port.
	APIServerAddr string
	AlibabaAddr   string
	FlipsnackAddr string
	MetricsAddr   string
	ProbeAddr     string

	// Credentials are the ones the simulators accept and CreateCredentials writes.
	Credentials Credentials
}

// LogDir is where the processes and the simulators write their logs.
func (o Options) LogDir() string { return filepath.Join(o.StateDir, "logs") }

// KubeconfigPath is where the admin kubeconfig of the control plane is written.
func (o Options) KubeconfigPath() string { return filepath.Join(o.StateDir, "kubeconfig") }

func (o Options) validate() error {
	var errs []error
	if o.StateDir == "" {
		errs = append(errs, errors.New("no state directory"))
	}
	for _, name := range []string{"etcd", "kube-apiserver", "kube-controller-manager"} {
		if _, err := os.Stat(filepath.Join(o.AssetsDir, name)); err != nil {
			errs = append(errs, fmt.Errorf("%s is not in %q: run `make envtest` to build it", name, o.AssetsDir))
		}
	}
	if _, err := os.Stat(o.CRDDir); err != nil {
		errs = append(errs, fmt.Errorf("CRD directory: %w", err))
	}
	if _, err := os.Stat(o.ManagerBinary); err != nil {
		errs = append(errs, fmt.Errorf("manager binary: %w (run `make build`)", err))
	}
	for _, a := range []struct{ name, addr string }{
		{"API server", o.APIServerAddr}, {"Alibaba simulator", o.AlibabaAddr}, {"Flipsnack simulator", o.FlipsnackAddr},
		{"metrics", o.MetricsAddr}, {"health probes", o.ProbeAddr},
	} {
		if err := checkLoopback(a.addr); err != nil {
			errs = append(errs, fmt.Errorf("%s address: %w", a.name, err))
		}
	}
	return errors.Join(errs...)
}

// checkLoopback refuses any address another machine could reach: the environment hands out
// an admin kubeconfig and accepts published demo credentials.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%q is not a loopback IP address such as 127.0.0.1", addr)
	}
	return nil
}
