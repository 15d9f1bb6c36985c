package v1alpha1_test

import (
	"fmt"
	"os"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// k8s is the API server every schema test talks to: the real kube-apiserver with the
// generated CRDs installed, so these tests prove what users get from `kubectl apply`.
var k8s client.Client

// env is the running control plane, for tests that act as other users.
var env *testenv.Env

func TestMain(m *testing.M) {
	testenv.HandleReexec()
	var err error
	env, err = testenv.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	k8s = env.Client
	code := m.Run()
	if err := env.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "stopping envtest:", err)
	}
	os.Exit(code)
}
