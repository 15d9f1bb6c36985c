package uninstall_test

import (
	"testing"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// TestMain lets the etcd and kube-apiserver of this package's tests die with the test binary.
func TestMain(m *testing.M) { testenv.Main(m) }
