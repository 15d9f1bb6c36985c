package verify

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// The YAML that cannot read v1alpha1.Kinds must still name every kind: the admission
// policies, the RBAC the markers generate, the Argo CD health script, the CRDs and samples.
// A kind added to the list but missing in one of them fails here, naming the file.
func TestEveryKindIsListedWhereTheYAMLMustListIt(t *testing.T) {
	root := testenv.RepoRoot()
	read := func(parts ...string) []byte {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(append([]string{root}, parts...)...))
		must(t, err)
		return data
	}
	role := decode[rbacv1.ClusterRole](t, parseManifests(t, read("config", "rbac", "role.yaml"))[0])
	granted := func(group, resource, name string) bool {
		for _, r := range role.Rules {
			if slices.Contains(r.APIGroups, group) && slices.Contains(r.Resources, resource) &&
				(name == "" || slices.Contains(r.ResourceNames, name)) {
				return true
			}
		}
		return false
	}
	argocd := string(read("config", "argocd", "kustomization.yaml"))
	samples, err := filepath.Glob(filepath.Join(root, "config", "samples", "*.yaml"))
	must(t, err)

	for _, k := range v1alpha1.Kinds {
		for _, file := range []string{"deletion_protection_policy.yaml", "identity_annotations_policy.yaml"} {
			policy := decode[admissionv1.ValidatingAdmissionPolicy](t, manifest{Kind: "ValidatingAdmissionPolicy", YAML: read("config", "policy", file)})
			if !slices.ContainsFunc(policy.Spec.MatchConstraints.ResourceRules, func(r admissionv1.NamedRuleWithOperations) bool {
				return slices.Contains(r.Resources, k.Plural)
			}) {
				t.Errorf("config/policy/%s does not match %s: run `make manifests` (hack/kinds writes the list)", file, k.Plural)
			}
		}
		for _, res := range []string{k.Plural, k.Plural + "/status", k.Plural + "/finalizers"} {
			if !granted(v1alpha1.GroupVersion.Group, res, "") {
				t.Errorf("config/rbac/role.yaml grants nothing on %s: add it to the markers of the kind's rbac.go (controllers/<kind>/rbac.go)", res)
			}
		}
		if !granted("apiextensions.k8s.io", "customresourcedefinitions", k.CRDName()) {
			t.Errorf("config/rbac/role.yaml does not let the manager get CRD %s (the uninstall check)", k.CRDName())
		}
		if !strings.Contains(argocd, "resource.customizations.health."+v1alpha1.GroupVersion.Group+"_"+k.Name+"=health.lua") {
			t.Errorf("config/argocd/kustomization.yaml gives %s no health check: run `make manifests` (hack/kinds writes the list)", k.Name)
		}
		if _, err := os.Stat(filepath.Join(root, "config", "crd", "bases", v1alpha1.GroupVersion.Group+"_"+k.Plural+".yaml")); err != nil {
			t.Errorf("no CRD for %s: %v", k.Name, err)
		}
		if !slices.ContainsFunc(samples, func(f string) bool {
			return strings.Contains(string(read(strings.TrimPrefix(f, root))), "kind: "+k.Name+"\n")
		}) {
			t.Errorf("config/samples has no %s: write one there", k.Name)
		}
	}
}

// The alerts and the dashboard select the kinds' controllers by a regular expression of their
// names (controller=~"iotproduct|flipsnackfeed"): each must name every kind's controller of
// controllers.Platforms and nothing else but the credentials controller, or a new kind's
// stuck queue would raise no alert and show on no panel.
func TestAlertsAndDashboardSelectEveryKindsController(t *testing.T) {
	root := testenv.RepoRoot()
	var want []string
	for _, p := range controllers.Platforms {
		for _, k := range p.Kinds {
			want = append(want, k.Controller)
		}
	}
	slices.Sort(want)
	// As hack/kinds writes them: the label (controller, or name for the workqueue's own
	// metrics), the quote (escaped in the dashboard's JSON strings), the names.
	selector := regexp.MustCompile(`((?:controller|name)=~\\?")([^"\\]*)`)
	for _, file := range []string{
		filepath.Join("config", "prometheus", "rules.yaml"),
		filepath.Join("config", "grafana", "dashboard.json"),
	} {
		data, err := os.ReadFile(filepath.Join(root, file))
		must(t, err)
		found := selector.FindAllSubmatch(data, -1)
		if len(found) == 0 {
			t.Errorf("%s selects no controller by name: this test reads no selector there", file)
		}
		for _, m := range found {
			got := slices.DeleteFunc(strings.Split(string(m[2]), "|"), func(c string) bool { return c == "credentials" })
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s selects %s%s\": the kinds' controllers are %q (controllers/platforms.go): run `make manifests` (hack/kinds writes the selectors)", file, m[1], m[2], strings.Join(want, "|"))
			}
		}
	}
}

// The documentation a user reads names every kind: README's list of kinds and a section of
// docs/usage.md saying what happens to it.
func TestEveryKindIsDocumented(t *testing.T) {
	root := testenv.RepoRoot()
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	must(t, err)
	usage, err := os.ReadFile(filepath.Join(root, "docs", "usage.md"))
	must(t, err)
	for _, k := range v1alpha1.Kinds {
		if !strings.Contains(string(readme), "**`"+k.Name+"`**") {
			t.Errorf("README.md does not list %s among the kinds", k.Name)
		}
		if !regexp.MustCompile(`(?m)^## What happens to an? ` + k.Name + `$`).Match(usage) {
			t.Errorf("docs/usage.md has no section \"What happens to a(n) %s\"", k.Name)
		}
	}
}
