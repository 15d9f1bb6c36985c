package devenvtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/prodlife/product-lifecycle-operator/internal/devenv"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// startTimeout bounds bringing the environment up on a busy two-core machine.
const startTimeout = 3 * time.Minute

// Start builds the manager into workDir and starts the environment under workDir/env, on free
// loopback ports so suites never clash with each other or with a running `make dev`, with the
// demo credentials and managerArgs added to the manager's flags. The manager runs as a user
// in system:masters.
func Start(workDir string, managerArgs []string) (*devenv.Env, error) {
	return start(workDir, managerArgs, false)
}

// StartAsInstalled is Start with the operator installed as config/default renders it, the
// manager running as its ServiceAccount with the shipped RBAC (devenv.Options.AsInstalled).
func StartAsInstalled(workDir string, managerArgs []string) (*devenv.Env, error) {
	return start(workDir, managerArgs, true)
}

func start(workDir string, managerArgs []string, asInstalled bool) (*devenv.Env, error) {
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		return nil, fmt.Errorf("KUBEBUILDER_ASSETS is not set: run the tests with `make test`, which builds etcd, kube-apiserver and kube-controller-manager under bin/k8s")
	}
	manager, err := BuildManager(workDir)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	return devenv.Start(ctx, devenv.Options{
		StateDir:      StateDir(workDir),
		AssetsDir:     assets,
		CRDDir:        filepath.Join(testenv.RepoRoot(), "config", "crd", "bases"),
		ManagerBinary: manager,
		ManagerArgs:   managerArgs,
		APIServerAddr: devenv.AnyFreePort,
		AlibabaAddr:   devenv.AnyFreePort,
		FlipsnackAddr: devenv.AnyFreePort,
		MetricsAddr:   devenv.AnyFreePort,
		ProbeAddr:     devenv.AnyFreePort,
		Credentials:   devenv.DemoCredentials,
		AsInstalled:   asInstalled,
	})
}

// StateDir is where Start keeps the environment of workDir; its logs are in StateDir/logs.
func StateDir(workDir string) string { return filepath.Join(workDir, "env") }
