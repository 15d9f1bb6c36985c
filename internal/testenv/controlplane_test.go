package testenv

import (
	"context"
	"os"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestMain(m *testing.M) { Main(m) }

// make dev names its binaries with a flag (--assets) and need not export KUBEBUILDER_ASSETS:
// the control plane takes them from PlaneOptions.AssetsDir when it is set.
func TestControlPlaneTakesItsBinariesFromAssetsDir(t *testing.T) {
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		t.Skip("needs etcd and kube-apiserver (KUBEBUILDER_ASSETS); make test sets it")
	}
	t.Setenv("KUBEBUILDER_ASSETS", "")
	if _, err := StartControlPlane(PlaneOptions{}); err == nil {
		t.Fatal("started without KUBEBUILDER_ASSETS or AssetsDir")
	}
	env, err := StartControlPlane(PlaneOptions{AssetsDir: assets})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	if err := env.Client.List(context.Background(), &corev1.NamespaceList{}); err != nil {
		t.Fatalf("the API server does not answer: %v", err)
	}
}
