package prodlifetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/prodlife/product-lifecycle-operator/internal/manifests"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// managerTokenTTL is how long the manager's ServiceAccount token is valid: longer than any
// test package runs.
const managerTokenTTL = 12 * time.Hour

// server is an API server made ready for the operator: its CRDs, the manager's
// ServiceAccount and RBAC, and the admission policies trusting it.
type server struct {
	config        *rest.Config // the caller, or envtest's admin
	client        client.Client
	managerConfig *rest.Config // the operator's ServiceAccount
}

// prepared are the callers' API servers (Options.Config) made ready, by address: parallel
// tests of one package share theirs and prepare it once.
var prepared = struct {
	sync.Mutex
	byHost map[string]*server
}{byHost: map[string]*server{}}

// apiServer is the API server of one Env: the caller's (cfg), else the package's shared one
// when Main runs the tests, else one started for this test alone and stopped with it.
func apiServer(t testing.TB, cfg *rest.Config) (*server, error) {
	switch {
	case cfg != nil:
		prepared.Lock()
		defer prepared.Unlock()
		if s := prepared.byHost[cfg.Host]; s != nil {
			return s, nil
		}
		cfg = rest.CopyConfig(cfg)
		if err := installCRDs(cfg); err != nil {
			return nil, err
		}
		c, err := client.New(cfg, client.Options{Scheme: testenv.NewScheme()})
		if err != nil {
			return nil, err
		}
		s, err := prepare(&testenv.Env{Config: cfg, Client: c})
		if err != nil {
			return nil, err
		}
		prepared.byHost[cfg.Host] = s
		return s, nil
	case shared.running:
		return shared.get()
	default:
		env, err := testenv.StartAPIServer()
		if err != nil {
			return nil, err
		}
		t.Cleanup(func() { _ = env.Stop() })
		return prepare(env)
	}
}

// prepare installs the manager's identity and the admission policies, as config/default
// does (testenv.AsEmbedded: no kubectl in a user's module), and returns the server with the
// manager's config.
func prepare(env *testenv.Env) (*server, error) {
	if err := env.InstallOperator(context.Background(), testenv.AsEmbedded, managerTokenTTL); err != nil {
		return nil, err
	}
	return &server{config: env.Config, client: env.Client, managerConfig: env.ManagerConfig}, nil
}

// installCRDs creates or updates the operator's CRDs and waits until they are served.
func installCRDs(cfg *rest.Config) error {
	crds, err := manifests.CRDs()
	if err != nil {
		return err
	}
	if _, err := envtest.InstallCRDs(cfg, envtest.CRDInstallOptions{CRDs: crds}); err != nil {
		return fmt.Errorf("installing the CRDs: %w", err)
	}
	return nil
}
