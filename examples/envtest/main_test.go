package envtest

import (
	"testing"

	"github.com/prodlife/product-lifecycle-operator/pkg/prodlifetest"
)

// One API server for the package's tests, each with a namespace of its own (see
// prodlifetest.Main).
func TestMain(m *testing.M) { prodlifetest.Main(m) }
