package devenv

import (
	"path/filepath"

	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// startNamespaceController runs kube-controller-manager with only its namespace controller.
// envtest runs no controllers, so without it a deleted namespace would stay Terminating and
// its objects would never be deleted; with it, `kubectl delete namespace` deletes every
// product in the namespace first, as on a real cluster.
func startNamespaceController(opts Options, env *envtest.Environment) (*child, error) {
	kubeconfig := filepath.Join(opts.StateDir, "namespace-controller.kubeconfig")
	if _, err := writeKubeconfig(env, "namespace-controller", kubeconfig); err != nil {
		return nil, err
	}
	return startChild("kube-controller-manager", filepath.Join(opts.LogDir(), "kube-controller-manager.log"),
		filepath.Join(opts.AssetsDir, "kube-controller-manager"),
		"--kubeconfig="+kubeconfig,
		"--controllers=namespace",
		"--leader-elect=false",
		"--secure-port=0", // serves nothing: no port to clash with
		"--concurrent-namespace-syncs=4",
	)
}
