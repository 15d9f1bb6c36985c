package uninstall_test

import (
	"io"
	"testing"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/prodlife/product-lifecycle-operator/controllers"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv/inproc"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
	fssim "github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

// The credentials the simulators accept, as a user puts them in Secrets.
const (
	alibabaKeyID    = "LTAI5tUninstallKey01"
	alibabaSecret   = "uninstall-secret-do-not-leak"
	flipsnackKey    = "fs-uninstall-api-key"
	flipsnackSecret = "fs-uninstall-api-secret-do-not-leak"
)

// operator is a running operator: a real API server with the CRDs and the install of
// config/default, both simulated platforms over HTTP, and a manager with every controller, set
// up as main.go sets it up (SetupAll), running as the installed ServiceAccount.
type operator struct {
	k8s    client.Client
	iotSim *alibabaiot.Server
	fsSim  *fssim.Server
}

func startOperator(t *testing.T) *operator {
	t.Helper()
	ctrl.SetLogger(zap.New(zap.WriteTo(io.Discard)))
	// The operator as users install it: its ServiceAccount, RBAC and admission policies.
	env, err := testenv.StartInstalled(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	asOperator := env.ManagerConfig

	sims, err := testenv.StartSimulators(testenv.SimulatorsAccepting(testenv.Credentials{
		AlibabaAccessKeyID: alibabaKeyID, AlibabaAccessKeySecret: alibabaSecret,
		FlipsnackAPIKey: flipsnackKey, FlipsnackAPISecret: flipsnackSecret,
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sims.Close)
	op := &operator{k8s: env.Client, iotSim: sims.Alibaba, fsSim: sims.Flipsnack}

	platforms, err := controllers.ParsePlatformFlags(sims.ManagerArgsTimingOut(5 * time.Second))
	must(t, err)
	platforms.Flipsnack.RetryBase = 100 * time.Millisecond
	_, stop, err := inproc.Start(inproc.Options{
		Config: asOperator, Scheme: env.Scheme,
		Engine: engine.Options{
			SyncPeriod: 2 * time.Second, SlowRetry: 2 * time.Second, MaxConcurrentReconciles: 2,
			RetryBaseDelay: 50 * time.Millisecond, RetryMaxDelay: 500 * time.Millisecond,
		},
		Platforms: platforms,
	})
	must(t, err)
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("manager: %v", err)
		}
	})
	return op
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
