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
	root := t.TempDir()
	for _, dir := range []string{"config", "charts"} {
		if err := os.CopyFS(filepath.Join(root, dir), os.DirFS(filepath.Join(testenv.RepoRoot(), dir))); err != nil {
			t.Fatal(err)
		}
	}
	kinds, platforms := v1alpha1.Kinds, controllers.Platforms
	t.Cleanup(func() { v1alpha1.Kinds, controllers.Platforms = kinds, platforms })
	v1alpha1.Kinds = append(v1alpha1.Kinds[:len(kinds):len(kinds)], v1alpha1.Kind{Name: "AcmeWidget", Plural: "acmewidgets"})
	controllers.Platforms = append(controllers.Platforms[:len(platforms):len(platforms)], controllers.Platform{
		Name: "Acme", Kinds: []controllers.Kind{{Name: "AcmeWidget", Controller: "acmewidget"}},
	})
	if err := run(root); err != nil {
		t.Fatal(err)
	}

	want := map[string][]string{
		"config/policy/deletion_protection_policy.yaml":                           {`resources: ["iotproducts", "flipsnackfeeds", "acmewidgets"]`},
		"config/policy/identity_annotations_policy.yaml":                          {`resources: ["iotproducts", "flipsnackfeeds", "acmewidgets"]`},
		"config/argocd/kustomization.yaml":                                        {"  - resource.customizations.health.prodlife.dev_AcmeWidget=health.lua\n"},
		"config/samples/kustomization.yaml":                                       {"- prodlife_v1alpha1_acmewidget.yaml\n"},
		"config/prometheus/rules.yaml":                                            {`controller=~"iotproduct|flipsnackfeed|acmewidget"`},
		"config/grafana/dashboard.json":                                           {`controller=~\"iotproduct|flipsnackfeed|acmewidget\"`, `controller=~\"iotproduct|flipsnackfeed|acmewidget|credentials\"`},
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

// A CRD that generation no longer writes leaves the chart too.
func TestTheChartDropsACRDNoLongerGenerated(t *testing.T) {
	root := t.TempDir()
	for _, dir := range []string{"config", "charts"} {
		if err := os.CopyFS(filepath.Join(root, dir), os.DirFS(filepath.Join(testenv.RepoRoot(), dir))); err != nil {
			t.Fatal(err)
		}
	}
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
