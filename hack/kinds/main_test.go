package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// A kind added to the registry reaches every list the command writes, and the chart's copies
// follow: run on a copy of config/ and the chart with a third platform registered.
func TestANewKindReachesEveryList(t *testing.T) {
	root := copyOfConfig(t)
	kinds, platforms := v1alpha1.Kinds, controllers.Platforms
	t.Cleanup(func() { v1alpha1.Kinds, controllers.Platforms = kinds, platforms })
	v1alpha1.Kinds = append(v1alpha1.Kinds[:len(kinds):len(kinds)], v1alpha1.Kind{Name: "AcmeWidget", Plural: "acmewidgets"})
	controllers.Platforms = append(controllers.Platforms[:len(platforms):len(platforms)], controllers.Platform{
		Name: "Acme", Kinds: []controllers.Kind{{Name: "AcmeWidget", Controller: "acmewidget"}}, ThrottleCodes: []string{`acme\.slow_down`},
	})
	if err := run(root); err != nil {
		t.Fatal(err)
	}

	want := map[string][]string{
		"config/policy/deletion_protection_policy.yaml":                           {`resources: ["iotproducts", "flipsnackfeeds", "acmewidgets"]`},
		"config/policy/identity_annotations_policy.yaml":                          {`resources: ["iotproducts", "flipsnackfeeds", "acmewidgets"]`},
		"config/argocd/kustomization.yaml":                                        {"  - resource.customizations.health.prodlife.dev_AcmeWidget=health.lua\n"},
		"config/samples/kustomization.yaml":                                       {"- prodlife_v1alpha1_acmewidget.yaml\n"},
		"config/prometheus/rules.yaml":                                            {`controller=~"iotproduct|flipsnackfeed|acmewidget"`, `code=~"Throttling|Throttling\\..+|31|32|acme\\.slow_down|http_429"`},
		"config/grafana/dashboard.json":                                           {`controller=~\"iotproduct|flipsnackfeed|acmewidget\"`, `controller=~\"iotproduct|flipsnackfeed|acmewidget|credentials\"`, `name=~\"iotproduct|flipsnackfeed|acmewidget|credentials\"`},
		"config/crd/kustomization.yaml":                                           {"- bases/prodlife.dev_acmewidgets.yaml\n"},
		"charts/product-lifecycle-operator/files/grafana-dashboard.json":          {`controller=~\"iotproduct|flipsnackfeed|acmewidget|credentials\"`},
		"charts/product-lifecycle-operator/files/deletion-protection-policy.yaml": {`"acmewidgets"]`},
	}
	for file, parts := range want {
		data, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatal(err)
		}
		for _, part := range parts {
			if !strings.Contains(string(data), part) {
				t.Errorf("%s does not hold %s", file, part)
			}
		}
	}
	// The credentials Secrets' policy names no kind: left as it was.
	data, err := os.ReadFile(filepath.Join(root, "config/policy/credentials_secrets_policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `resources: ["secrets"]`) {
		t.Errorf("the credentials Secrets' policy was rewritten:\n%s", data)
	}
}

// A list written whole and cut in two by a comment is refused, not written twice.
func TestAListCutInTwoIsRefused(t *testing.T) {
	root := copyOfConfig(t)
	path := filepath.Join(root, "config/samples/kustomization.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cut := strings.Replace(string(data), "- prodlife_v1alpha1_flipsnackfeed.yaml", "# the feed\n- prodlife_v1alpha1_flipsnackfeed.yaml", 1)
	if err := os.WriteFile(path, []byte(cut), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(root); err == nil || !strings.Contains(err.Error(), "cut in 2 runs") {
		t.Errorf("run = %v, want the samples' list refused as cut in two", err)
	}
}

// A CRD that generation no longer writes leaves the chart too.
func TestTheChartDropsACRDNoLongerGenerated(t *testing.T) {
	root := copyOfConfig(t)
	stale := filepath.Join(root, "charts/product-lifecycle-operator/crds/prodlife.dev_oldkinds.yaml")
	if err := os.WriteFile(stale, []byte("kind: CustomResourceDefinition\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(root); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the chart still carries a CRD config/crd/bases does not hold (%v)", err)
	}
}

// copyOfConfig copies config/ and the chart into a directory of the test's, the tree the
// command writes.
func copyOfConfig(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, dir := range []string{"config", "charts"} {
		if err := os.CopyFS(filepath.Join(root, dir), os.DirFS(filepath.Join(testenv.RepoRoot(), dir))); err != nil {
			t.Fatal(err)
		}
	}
	return root
}
