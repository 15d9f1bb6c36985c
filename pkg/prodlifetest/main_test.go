package prodlifetest_test

import (
	"os"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
	"github.com/prodlife/product-lifecycle-operator/pkg/prodlifetest"
)

// childEnv makes this test binary a downstream suite run through Main (see
// kit_ends_test.go); without it the package's tests start their own API servers.
const childEnv = "PRODLIFETEST_CHILD_DIR"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		prodlifetest.Main(m)
		return
	}
	testenv.Main(m)
}
