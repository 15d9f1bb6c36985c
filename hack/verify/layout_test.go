package verify

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// The layout of docs/design.md, "The pieces": the imports run one way, from the wiring
// (controllers) to each kind's package to the engine, and the feed's plan is pure.
func TestImportsRunOneWay(t *testing.T) {
	const module = "github.com/prodlife/product-lifecycle-operator/"
	golist := func(format, pkg string) []string {
		t.Helper()
		out, err := exec.Command("go", "list", "-C", testenv.RepoRoot(), "-f", format, pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		return strings.Fields(string(out))
	}
	for _, dep := range golist(`{{join .Deps " "}}`, "./controllers/engine") {
		if strings.HasPrefix(dep, module+"controllers") {
			t.Errorf("controllers/engine depends on %s: the engine must name no kind's package nor the wiring", dep)
		}
	}
	for _, kind := range []string{"./controllers/iotproduct", "./controllers/flipsnackfeed"} {
		own := module + strings.TrimPrefix(kind, "./")
		for _, dep := range golist(`{{join .Deps " "}}`, kind) {
			if dep == module+"controllers" || (strings.HasPrefix(dep, module+"controllers/") &&
				dep != module+"controllers/engine" && !strings.HasPrefix(dep, own+"/")) {
				t.Errorf("%s depends on %s: a kind's package imports only the engine and its own packages", kind, dep)
			}
		}
	}
	for _, imp := range golist(`{{join .Imports " "}}`, "./controllers/flipsnackfeed/feedplan") {
		if strings.HasPrefix(imp, "k8s.io/") || strings.HasPrefix(imp, "sigs.k8s.io/") || strings.HasPrefix(imp, module+"api/") ||
			strings.HasPrefix(imp, module+"controllers") {
			t.Errorf("controllers/flipsnackfeed/feedplan imports %s: the feed's plan takes no Kubernetes import", imp)
		}
	}
}
