package devenvtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// BuildManager builds the manager from this tree into dir, as `make build` does, and returns
// the binary's path.
func BuildManager(dir string) (string, error) { return build(dir, "manager", ".") }

// BuildPlugin builds the kubectl plugin from this tree into dir, as `make build` does, and
// returns the binary's path: with dir on the PATH, `kubectl prodlife` runs it.
func BuildPlugin(dir string) (string, error) {
	return build(dir, "kubectl-prodlife", "./cmd/kubectl-prodlife")
}

func build(dir, name, pkg string) (string, error) {
	binary := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", binary, pkg)
	cmd.Dir = testenv.RepoRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building %s: %w\n%s", name, err, out)
	}
	return binary, trackSources(pkg)
}

// trackSources reads the sources of pkg, which only go build (a subprocess) reads.
// go test caches a passing result until a file the test process itself opened changes;
// without this, a changed controller would leave a cached PASS of a suite that never ran
// against it.
func trackSources(pkg string) error {
	cmd := exec.Command("go", "list", "-deps", "-f",
		`{{if and .Module .Module.Main}}{{range .GoFiles}}{{$.Dir}}/{{.}}{{"\n"}}{{end}}{{end}}`, pkg)
	cmd.Dir = testenv.RepoRoot()
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("listing the sources of %s: %w", pkg, err)
	}
	return TrackFiles(strings.Fields(string(out))...)
}

// TrackFiles reads files that only subprocesses read (kubectl's manifests, say), so that go
// test's cache sees them (see trackSources).
func TrackFiles(files ...string) error {
	for _, f := range files {
		if _, err := os.ReadFile(f); err != nil {
			return err
		}
	}
	return nil
}
