package verify

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// The Helm chart carries copies of generated files, because a chart can read only its own
// folder; `make manifests` writes them (hack/kinds). These tests fail as soon as a copy
// differs, so a changed API or RBAC marker cannot ship in config/ but not in the chart.

func TestChartCRDsAreTheGeneratedOnes(t *testing.T) {
	generated := filepath.Join(testenv.RepoRoot(), "config", "crd", "bases")
	chart := filepath.Join(chartDir(), "crds")
	want, got := yamlFiles(t, generated), yamlFiles(t, chart)
	if !slices.Equal(got, want) {
		t.Fatalf("the chart's crds/ (%s) holds %v, config/crd/bases holds %v: run `make manifests`", chart, got, want)
	}
	for _, name := range want {
		sameFile(t, filepath.Join(generated, name), filepath.Join(chart, name))
	}
}

func TestChartRBACRulesAreTheGeneratedOnes(t *testing.T) {
	sameFile(t, filepath.Join(testenv.RepoRoot(), "config", "rbac", "role.yaml"), filepath.Join(chartDir(), "files", "manager-role.yaml"))
}

func TestChartAdmissionPoliciesAreConfigs(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testenv.RepoRoot(), "config", "policy", "*_policy.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no policies in config/policy: %v", err)
	}
	for _, file := range files {
		copied := strings.ReplaceAll(strings.TrimSuffix(filepath.Base(file), "_policy.yaml"), "_", "-") + "-policy.yaml"
		sameFile(t, file, filepath.Join(chartDir(), "files", copied))
	}
}

func yamlFiles(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	return names
}

// sameFile fails unless the copy is byte for byte the generated file.
func sameFile(t *testing.T, generated, copied string) {
	t.Helper()
	want, err := os.ReadFile(generated)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(copied)
	if err != nil {
		t.Fatalf("%v: run `make manifests`, which copies %s there", err, generated)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s: run `make manifests`, which copies it over", copied, generated)
	}
}
