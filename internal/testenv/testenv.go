// Package testenv holds the pieces every environment of the project is built of: a real
// kube-apiserver and etcd (envtest) with the CRDs and admission policies installed, the two
// simulators (simulators.go) and the credentials Secrets they accept (credentials.go). The
// test kit (pkg/prodlifetest), make dev (internal/devenv) and the suites use them rather than
// wiring their own.
package testenv

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

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
	// ManagerConfig is ManagerUser, in system:masters: what the suites' managers run as, the
	// one identity the admission policies let write the operator's annotations (nil after
	// StartAPIServer).
	ManagerConfig *rest.Config
	Client        client.Client
	Scheme        *k8sruntime.Scheme

	wrappers string // the folder of DieWithParent's scripts
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
// builds them) and installs the CRDs of config/crd/bases and the policies of config/policy,
// as embedded in the module (package config), trusting ManagerUser as the operator.
func Start() (*Env, error) {
	env, err := StartAPIServer()
	if err != nil {
		return nil, err
	}
	// The manager is trusted as the operator. The admin, in system:masters, is trusted by the
	// identity annotations policy as every cluster administrator is, so tests can create
	// objects in the states a crashed operator leaves; tests that play a tenant act as a user
	// without cluster-wide grants.
	trust := AdmissionIdentities{ManagerUsernames: []string{ManagerUser}}
	if err := InstallPolicies(context.Background(), env.Client, trust); err != nil {
		_ = env.Stop()
		return nil, err
	}
	manager, err := env.Env.AddUser(envtest.User{Name: ManagerUser, Groups: []string{"system:masters"}}, env.Config)
	if err != nil {
		_ = env.Stop()
		return nil, fmt.Errorf("provisioning the manager's user: %w", err)
	}
	env.ManagerConfig = manager.Config()
	return env, nil
}

// StartAPIServer brings up etcd and kube-apiserver with the CRDs only: no admission policy and
// no manager's user, for a harness that installs the operator as a user does. In a program
// whose main or TestMain calls HandleReexec first, both die with it however it ends (a
// panic, a test's timeout, SIGKILL).
func StartAPIServer() (*Env, error) {
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		return nil, fmt.Errorf("KUBEBUILDER_ASSETS is not set: envtest needs the folder of its etcd and kube-apiserver binaries " +
			"(`make test` builds them under bin/k8s and sets it; elsewhere KUBEBUILDER_ASSETS=$(setup-envtest use -p path) go test ./...)")
	}
	for _, binary := range []string{"etcd", "kube-apiserver"} {
		if _, err := os.Stat(filepath.Join(assets, binary)); err != nil {
			return nil, fmt.Errorf("KUBEBUILDER_ASSETS=%s has no %s: %w", assets, binary, err)
		}
	}
	crds, err := manifests.CRDs()
	if err != nil {
		return nil, err
	}
	wrappers, err := os.MkdirTemp("", "prodlife-envtest-")
	if err != nil {
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
	env := &envtest.Environment{
		ControlPlane: envtest.ControlPlane{
			Etcd:      &envtest.Etcd{Path: etcd},
			APIServer: &envtest.APIServer{Path: apiServer},
		},
		CRDInstallOptions:     envtest.CRDInstallOptions{CRDs: crds},
		BinaryAssetsDirectory: assets,
	}
	cfg, err := env.Start()
	if err != nil {
		_ = env.Stop()
		_ = os.RemoveAll(wrappers)
		return nil, fmt.Errorf("starting envtest from %s: %w", assets, err)
	}
	// Tests create many objects quickly; the client-side defaults (5 QPS) would make them crawl.
	cfg.QPS, cfg.Burst = 500, 1000
	s := NewScheme()
	c, err := client.New(cfg, client.Options{Scheme: s})
	if err != nil {
		_ = env.Stop()
		_ = os.RemoveAll(wrappers)
		return nil, err
	}
	return &Env{Env: env, Config: cfg, Client: c, Scheme: s, wrappers: wrappers}, nil
}

// ManagerUser is the user the managers of Start's environment run as (trusted as the
// operator); tests act as envtest's admin.
const ManagerUser = "prodlife-operator"

// Stop shuts the control plane down.
func (e *Env) Stop() error {
	err := e.Env.Stop()
	if e.wrappers != "" {
		_ = os.RemoveAll(e.wrappers)
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
