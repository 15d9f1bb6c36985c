package devenv

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// controlPlaneStartTimeout bounds each of etcd and kube-apiserver coming up; envtest's 20
// seconds are too short for a cold start on a busy two-core machine.
const controlPlaneStartTimeout = 90 * time.Second

// startControlPlane runs etcd and kube-apiserver through envtest with the API server on
// apiServerAddr (resolved, never port 0), their data, certificates and logs under the state
// directory, and installs the CRDs.
func startControlPlane(opts Options, apiServerAddr string) (*envtest.Environment, []*os.File, error) {
	host, port, err := net.SplitHostPort(apiServerAddr)
	if err != nil {
		return nil, nil, err
	}
	wrappers := filepath.Join(opts.StateDir, "wrappers")
	if err := os.MkdirAll(wrappers, 0o755); err != nil {
		return nil, nil, err
	}
	etcdPath, err := testenv.DieWithParent(filepath.Join(opts.AssetsDir, "etcd"), wrappers)
	if err != nil {
		return nil, nil, err
	}
	apiServerPath, err := testenv.DieWithParent(filepath.Join(opts.AssetsDir, "kube-apiserver"), wrappers)
	if err != nil {
		return nil, nil, err
	}
	etcdLog, err := os.Create(filepath.Join(opts.LogDir(), "etcd.log"))
	if err != nil {
		return nil, nil, err
	}
	apiServerLog, err := os.Create(filepath.Join(opts.LogDir(), "kube-apiserver.log"))
	if err != nil {
		etcdLog.Close()
		return nil, nil, err
	}
	logs := []*os.File{etcdLog, apiServerLog}

	env := &envtest.Environment{
		ControlPlane: envtest.ControlPlane{
			Etcd: &envtest.Etcd{
				Path:    etcdPath,
				DataDir: filepath.Join(opts.StateDir, "etcd"),
				Out:     etcdLog, Err: etcdLog,
			},
			APIServer: &envtest.APIServer{
				Path:    apiServerPath,
				CertDir: filepath.Join(opts.StateDir, "kube-apiserver"),
				SecureServing: envtest.SecureServing{
					ListenAddr: envtest.ListenAddr{Address: host, Port: port},
				},
				Out: apiServerLog, Err: apiServerLog,
			},
		},
		CRDDirectoryPaths:        []string{opts.CRDDir},
		ErrorIfCRDPathMissing:    true,
		BinaryAssetsDirectory:    opts.AssetsDir,
		ControlPlaneStartTimeout: controlPlaneStartTimeout,
		ControlPlaneStopTimeout:  30 * time.Second,
	}
	for _, dir := range []string{env.ControlPlane.Etcd.DataDir, env.ControlPlane.APIServer.CertDir} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			closeAll(logs)
			return nil, nil, err
		}
	}
	if _, err := env.Start(); err != nil {
		_ = env.Stop()
		closeAll(logs)
		return nil, nil, fmt.Errorf("starting etcd and kube-apiserver (logs in %s): %w", opts.LogDir(), err)
	}
	return env, logs, nil
}

// writeKubeconfig provisions a user of the system:masters group and writes its kubeconfig,
// with a context named after the project rather than envtest's generic one.
func writeKubeconfig(env *envtest.Environment, userName, path string) (*rest.Config, error) {
	user, err := env.AddUser(envtest.User{Name: userName, Groups: []string{"system:masters"}}, &rest.Config{QPS: 200, Burst: 400})
	if err != nil {
		return nil, fmt.Errorf("provisioning user %s: %w", userName, err)
	}
	raw, err := user.KubeConfig()
	if err != nil {
		return nil, err
	}
	cfg, err := clientcmd.Load(raw)
	if err != nil {
		return nil, err
	}
	const name = "prodlife-dev"
	for old, cluster := range cfg.Clusters {
		delete(cfg.Clusters, old)
		cfg.Clusters[name] = cluster
	}
	for old, auth := range cfg.AuthInfos {
		delete(cfg.AuthInfos, old)
		cfg.AuthInfos[userName] = auth
	}
	for old, ctx := range cfg.Contexts {
		delete(cfg.Contexts, old)
		ctx.Cluster, ctx.AuthInfo = name, userName
		cfg.Contexts[name] = ctx
	}
	cfg.CurrentContext = name
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return nil, err
	}
	return user.Config(), nil
}

func closeAll(files []*os.File) {
	for _, f := range files {
		_ = f.Close()
	}
}
