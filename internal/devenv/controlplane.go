package devenv

import (
	"fmt"
	"time"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// controlPlaneStartTimeout bounds each of etcd and kube-apiserver coming up; envtest's 20
// seconds are too short for a cold start on a busy two-core machine.
const controlPlaneStartTimeout = 90 * time.Second

// startControlPlane runs etcd and kube-apiserver (testenv.StartControlPlane, as every
// environment does) with the API server on apiServerAddr (resolved, never port 0), their
// data, certificates and logs under the state directory, and installs the CRDs of
// Options.CRDDir.
func startControlPlane(opts Options, apiServerAddr string) (*testenv.Env, error) {
	return testenv.StartControlPlane(testenv.PlaneOptions{
		AssetsDir:    opts.AssetsDir,
		ListenAddr:   apiServerAddr,
		StateDir:     opts.StateDir,
		LogDir:       opts.LogDir(),
		CRDDir:       opts.CRDDir,
		StartTimeout: controlPlaneStartTimeout,
		StopTimeout:  30 * time.Second,
	})
}

// writeKubeconfig provisions a user of the system:masters group and writes its kubeconfig,
// with a context named after the project rather than envtest's generic one.
func writeKubeconfig(env *envtest.Environment, userName, path string) (*rest.Config, error) {
	user, err := env.AddUser(envtest.User{Name: userName, Groups: []string{"system:masters"}}, &rest.Config{QPS: 200, Burst: 400})
	if err != nil {
		return nil, fmt.Errorf("provisioning user %s: %w", userName, err)
	}
	return user.Config(), testenv.WriteKubeconfig(user.Config(), kubeconfigContext, userName, path)
}

// kubeconfigContext names the cluster and context of every kubeconfig the environment writes.
const kubeconfigContext = "prodlife-dev"
