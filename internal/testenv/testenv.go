// Package testenv holds the pieces every environment of the project is built of: a real
// kube-apiserver and etcd (envtest) with the CRDs and admission policies installed, the two
// simulators (simulators.go) and the credentials Secrets they accept (credentials.go). The
// test kit (pkg/prodlifetest), make dev (internal/devenv) and the suites use them rather than
// wiring their own.
package testenv

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	prodlifev1alpha1 "github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/internal/manifests"
)

// Env is a running control plane.
type Env struct {
	Env *envtest.Environment
	// Config is envtest's admin: what tests act as.
	Config *rest.Config
	// ManagerConfig is the identity InstallOperator installed: what the environment's
	// managers run as, the one the admission policies let write the operator's annotations
	// (nil until InstallOperator).
	ManagerConfig *rest.Config
	Client        client.Client
	Scheme        *k8sruntime.Scheme

	temporary string     // the folder of DieWithParent's scripts, when no StateDir kept them
	logs      []*os.File // the control plane's logs (PlaneOptions.LogDir)
}

// RepoRoot is the repository's top folder, found from this file's own path so tests work
// from any package directory.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// NewScheme holds the built-in kinds and the project's kinds.
func NewScheme() *k8sruntime.Scheme {
	s := k8sruntime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		panic(err)
	}
	if err := prodlifev1alpha1.AddToScheme(s); err != nil {
		panic(err)
	}
	return s
}

// Start brings up etcd and kube-apiserver from KUBEBUILDER_ASSETS (set by `make test`, which
// builds them) with the CRDs of config/crd/bases and the policies of config/policy, as
// embedded in the module (package config), the manager a user of system:masters trusted as
// the operator (AsAdmin): the suites that test the API server's admission as the operator
// and as a tenant. The admin, in system:masters, is trusted by the identity annotations
// policy as every cluster administrator is, so tests can create objects in the states a
// crashed operator leaves; tests that play a tenant act as a user without cluster-wide
// grants.
func Start() (*Env, error) {
	return start(AsAdmin, 0)
}

// StartInstalled is Start with the operator installed as config/default renders it
// (AsRendered): its ServiceAccount, RBAC and admission policies, ManagerConfig a token of that
// ServiceAccount valid for ttl.
func StartInstalled(ttl time.Duration) (*Env, error) {
	return start(AsRendered, ttl)
}

func start(identity Identity, ttl time.Duration) (*Env, error) {
	env, err := StartAPIServer()
	if err != nil {
		return nil, err
	}
	if err := env.InstallOperator(context.Background(), identity, ttl); err != nil {
		_ = env.Stop()
		return nil, err
	}
	return env, nil
}

// StartAPIServer brings up etcd and kube-apiserver with the CRDs only, as envtest chooses
// (StartControlPlane of the zero PlaneOptions): no admission policy and no manager's
// identity, for a harness that installs the operator itself.
func StartAPIServer() (*Env, error) {
	return StartControlPlane(PlaneOptions{})
}

// PlaneOptions say where a control plane listens and keeps its files. The zero value is
// envtest's choice: a free port, temporary folders removed at Stop, no logs kept, the CRDs
// embedded in the module.
type PlaneOptions struct {
	// AssetsDir holds the etcd and kube-apiserver binaries; "" reads KUBEBUILDER_ASSETS.
	AssetsDir string
	// ListenAddr is the API server's host:port, its port resolved (never 0); "" lets envtest
	// pick a free one.
	ListenAddr string
	// StateDir keeps etcd's data (etcd/), the API server's certificates (kube-apiserver/) and
	// the wrappers of DieWithParent (wrappers/) for the caller to remove; "" makes temporary
	// ones that Stop removes.
	StateDir string
	// LogDir, when set, receives etcd.log and kube-apiserver.log.
	LogDir string
	// CRDDir holds the CRD manifests to install; "" installs the module's own
	// (config/crd/bases, embedded).
	CRDDir string
	// StartTimeout bounds each of etcd and kube-apiserver coming up, StopTimeout their stop;
	// 0 is envtest's default (20 s each).
	StartTimeout, StopTimeout time.Duration
}

// StartControlPlane brings up etcd and kube-apiserver from opts.AssetsDir or
// KUBEBUILDER_ASSETS (set by `make test`, which builds them) as opts say, and installs the
// CRDs. In a program whose main or TestMain calls HandleReexec first, both die with it
// however it ends (a panic, a test's timeout, SIGKILL). Every environment of the project
// starts its control plane here.
func StartControlPlane(opts PlaneOptions) (_ *Env, err error) {
	assets := opts.AssetsDir
	if assets == "" {
		assets = os.Getenv("KUBEBUILDER_ASSETS")
	}
	if assets == "" {
		return nil, fmt.Errorf("KUBEBUILDER_ASSETS is not set: envtest needs the folder of its etcd and kube-apiserver binaries " +
			"(`make test` builds them under bin/k8s and sets it; elsewhere KUBEBUILDER_ASSETS=$(setup-envtest use -p path) go test ./...)")
	}
	for _, binary := range []string{"etcd", "kube-apiserver"} {
		if _, err := os.Stat(filepath.Join(assets, binary)); err != nil {
			return nil, fmt.Errorf("KUBEBUILDER_ASSETS=%s has no %s: %w", assets, binary, err)
		}
	}
	e := &Env{Env: &envtest.Environment{
		BinaryAssetsDirectory:    assets,
		ControlPlaneStartTimeout: opts.StartTimeout,
		ControlPlaneStopTimeout:  opts.StopTimeout,
	}}
	defer func() {
		if err != nil {
			_ = e.Stop()
		}
	}()
	if opts.CRDDir == "" {
		if e.Env.CRDInstallOptions.CRDs, err = manifests.CRDs(); err != nil {
			return nil, err
		}
	} else {
		e.Env.CRDDirectoryPaths, e.Env.ErrorIfCRDPathMissing = []string{opts.CRDDir}, true
	}
	wrappers := filepath.Join(opts.StateDir, "wrappers")
	if opts.StateDir == "" {
		if wrappers, err = os.MkdirTemp("", "prodlife-envtest-"); err != nil {
			return nil, err
		}
		e.temporary = wrappers
	} else if err := os.MkdirAll(wrappers, 0o755); err != nil {
		return nil, err
	}
	etcd, err := DieWithParent(filepath.Join(assets, "etcd"), wrappers)
	if err != nil {
		return nil, err
	}
	apiServer, err := DieWithParent(filepath.Join(assets, "kube-apiserver"), wrappers)
	if err != nil {
		return nil, err
	}
	e.Env.ControlPlane = envtest.ControlPlane{
		Etcd:      &envtest.Etcd{Path: etcd},
		APIServer: &envtest.APIServer{Path: apiServer},
	}
	if err := e.keepState(opts); err != nil {
		return nil, err
	}
	cfg, err := e.Env.Start()
	if err != nil {
		where := assets
		if opts.LogDir != "" {
			where = "logs in " + opts.LogDir
		}
		return nil, fmt.Errorf("starting etcd and kube-apiserver (%s): %w", where, err)
	}
	// Tests create many objects quickly; the client-side defaults (5 QPS) would make them crawl.
	cfg.QPS, cfg.Burst = 500, 1000
	e.Config, e.Scheme = cfg, NewScheme()
	if e.Client, err = client.New(cfg, client.Options{Scheme: e.Scheme}); err != nil {
		return nil, err
	}
	return e, nil
}

// keepState points the control plane at opts' address, folders and logs.
func (e *Env) keepState(opts PlaneOptions) error {
	plane := &e.Env.ControlPlane
	if opts.ListenAddr != "" {
		host, port, err := net.SplitHostPort(opts.ListenAddr)
		if err != nil {
			return fmt.Errorf("API server address: %w", err)
		}
		plane.APIServer.SecureServing = envtest.SecureServing{ListenAddr: envtest.ListenAddr{Address: host, Port: port}}
	}
	if opts.StateDir != "" {
		plane.Etcd.DataDir = filepath.Join(opts.StateDir, "etcd")
		plane.APIServer.CertDir = filepath.Join(opts.StateDir, "kube-apiserver")
		for _, dir := range []string{plane.Etcd.DataDir, plane.APIServer.CertDir} {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return err
			}
		}
	}
	if opts.LogDir != "" {
		for _, out := range []struct {
			name     string
			out, err *io.Writer
		}{{"etcd.log", &plane.Etcd.Out, &plane.Etcd.Err}, {"kube-apiserver.log", &plane.APIServer.Out, &plane.APIServer.Err}} {
			f, err := os.Create(filepath.Join(opts.LogDir, out.name))
			if err != nil {
				return err
			}
			e.logs = append(e.logs, f)
			*out.out, *out.err = f, f
		}
	}
	return nil
}

// Stop shuts the control plane down.
func (e *Env) Stop() error {
	var err error
	if e.Env != nil {
		err = e.Env.Stop()
	}
	for _, f := range e.logs {
		_ = f.Close()
	}
	if e.temporary != "" {
		_ = os.RemoveAll(e.temporary)
	}
	return err
}

// Main is the TestMain of a package whose tests start API servers: it lets their etcd and
// kube-apiserver die with the test binary however it ends (a panic, a timeout, SIGKILL; see
// HandleReexec), runs the tests and exits with their result.
func Main(m *testing.M) {
	HandleReexec()
	os.Exit(m.Run())
}
