package devenv

import (
	"os"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

func TestMain(m *testing.M) {
	testenv.HandleReexec()
	if os.Getenv(ownerProcessEnv) != "" {
		runOwnerProcess(os.Getenv(ownerProcessEnv))
		return
	}
	os.Exit(m.Run())
}
