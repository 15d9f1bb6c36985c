package bench

import (
	"os"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/internal/devenv"
)

func TestMain(m *testing.M) {
	devenv.HandleReexec()
	os.Exit(m.Run())
}
