// Command kinds writes, from the platforms' registry (v1alpha1.Kinds and
// controllers.Platforms), every list of kinds that YAML and JSON cannot read from Go: the
// CRDs' kustomization, the admission policies' resources, Argo CD's health entries, the
// samples' kustomization, the alerts' and the dashboard's controller selectors, the
// throttling alert's codes; then it copies into the Helm chart the
// generated files the chart carries (CRDs, the manager's role, the policies, the alerts and
// the dashboard), since a chart can read only its own folder. `make manifests` runs it after
// controller-gen, so a new platform's kinds reach all of them without an edit by hand;
// hack/verify fails when the committed files are not what it writes.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers"
	"github.com/prodlife/product-lifecycle-operator/internal/metrics"
)

func main() {
	root := flag.String("root", ".", "the repository's root")
	flag.Parse()
	if err := run(*root); err != nil {
		fmt.Fprintln(os.Stderr, "kinds:", err)
		os.Exit(1)
	}
}

func run(root string) error {
	for _, step := range []func(string) error{writeLists, copyToChart} {
		if err := step(root); err != nil {
			return err
		}
	}
	return nil
}

// writeLists rewrites, in place, each list of kinds (and nothing else) in the files that
// hold one.
func writeLists(root string) error {
	group := regexp.QuoteMeta(v1alpha1.GroupVersion.Group)
	var crds, plurals, health, samples, controllerNames, throttled []string
	for _, k := range v1alpha1.Kinds {
		crds = append(crds, "- bases/"+v1alpha1.GroupVersion.Group+"_"+k.Plural+".yaml\n")
		plurals = append(plurals, `"`+k.Plural+`"`)
		health = append(health, "  - resource.customizations.health."+v1alpha1.GroupVersion.Group+"_"+k.Name+"=health.lua\n")
		samples = append(samples, "- "+SampleFile(k)+"\n")
	}
	for _, p := range controllers.Platforms {
		for _, k := range p.Kinds {
			controllerNames = append(controllerNames, k.Controller)
		}
		throttled = append(throttled, p.ThrottleCodes...)
	}
	// An HTTP 429 from any platform (or a proxy before it) is throttling too; in a PromQL
	// string a regular expression's backslash is written twice.
	throttled = append(throttled, metrics.HTTPStatusCode(http.StatusTooManyRequests))
	throttleSelector := regexp.MustCompile(`code=~"[^"]*"`)
	throttleCodes := `code=~"` + strings.ReplaceAll(strings.Join(throttled, "|"), `\`, `\\`) + `"`
	// A resource rule of the group: its resources, whatever the fields between.
	policyResources := regexp.MustCompile(`(apiGroups: \["` + group + `"\]\n(?:[ \t]+\w+: .*\n)*?[ \t]+resources: )\[[^\]\n]*\]`)
	// The selectors of controllers by name, as metrics label them: controller=~"a|b" in
	// YAML, controller=~\"a|b\" inside the dashboard's JSON strings, name=~ for the
	// workqueue's own metrics; the credentials controller is kept where a selector has it.
	selector := regexp.MustCompile(`((?:controller|name)=~\\?")([^"\\]*)`)
	// A list written whole must be one run of lines: two runs (a comment between entries)
	// would each get the whole list. The others are rewritten in place, wherever they are.
	const whole, inPlace = true, false
	edits := []struct {
		file  string
		re    *regexp.Regexp
		with  func([]byte) []byte
		whole bool
	}{
		{"config/crd/kustomization.yaml", regexp.MustCompile(`(?m)(?:^- bases/` + group + `_\w+\.yaml\n)+`), constant(strings.Join(crds, "")), whole},
		{"config/policy/deletion_protection_policy.yaml", policyResources, prefixed(policyResources, "["+strings.Join(plurals, ", ")+"]"), inPlace},
		{"config/policy/identity_annotations_policy.yaml", policyResources, prefixed(policyResources, "["+strings.Join(plurals, ", ")+"]"), inPlace},
		{"config/argocd/kustomization.yaml", regexp.MustCompile(`(?m)(?:^  - resource\.customizations\.health\.` + group + `_\w+=health\.lua\n)+`), constant(strings.Join(health, "")), whole},
		{"config/samples/kustomization.yaml", regexp.MustCompile(`(?m)(?:^- prodlife_v1alpha1_[a-z0-9]+\.yaml\n)+`), constant(strings.Join(samples, "")), whole},
		{"config/prometheus/rules.yaml", selector, selected(selector, controllerNames), inPlace},
		{"config/prometheus/rules.yaml", throttleSelector, constant(throttleCodes), inPlace},
		{"config/grafana/dashboard.json", selector, selected(selector, controllerNames), inPlace},
	}
	for _, e := range edits {
		path := filepath.Join(root, e.file)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		switch n := len(e.re.FindAllIndex(data, -1)); {
		case n == 0:
			return fmt.Errorf("%s: no list of kinds found (%s): the file changed shape, change hack/kinds with it", e.file, e.re)
		case e.whole && n > 1:
			return fmt.Errorf("%s: the list of kinds is cut in %d runs of lines (%s): keep its entries together", e.file, n, e.re)
		}
		if err := writeIfChanged(path, e.re.ReplaceAllFunc(data, e.with)); err != nil {
			return err
		}
	}
	return nil
}

// SampleFile is the name of the kind's sample in config/samples.
func SampleFile(k v1alpha1.Kind) string {
	return "prodlife_v1alpha1_" + strings.ToLower(k.Name) + ".yaml"
}

func constant(s string) func([]byte) []byte {
	return func([]byte) []byte { return []byte(s) }
}

// prefixed keeps the match's first group and puts list after it.
func prefixed(re *regexp.Regexp, list string) func([]byte) []byte {
	return func(m []byte) []byte {
		return append(re.FindSubmatch(m)[1], list...)
	}
}

// selected writes the kinds' controllers into a selector, and the credentials controller
// after them where the selector named it.
func selected(re *regexp.Regexp, names []string) func([]byte) []byte {
	return func(m []byte) []byte {
		parts := re.FindSubmatch(m)
		list := strings.Join(names, "|")
		if strings.Contains("|"+string(parts[2])+"|", "|credentials|") {
			list += "|credentials"
		}
		return append(append([]byte{}, parts[1]...), list...)
	}
}

// copyToChart makes the chart's copies of the generated files byte for byte theirs, and
// removes a CRD the chart still carries but config/crd/bases no longer holds.
func copyToChart(root string) error {
	chart := filepath.Join(root, "charts", "product-lifecycle-operator")
	copies := map[string]string{
		"config/rbac/role.yaml":         "files/manager-role.yaml",
		"config/prometheus/rules.yaml":  "files/prometheus-rules.yaml",
		"config/grafana/dashboard.json": "files/grafana-dashboard.json",
	}
	policies, err := filepath.Glob(filepath.Join(root, "config", "policy", "*_policy.yaml"))
	if err != nil {
		return err
	}
	for _, p := range policies {
		name := strings.ReplaceAll(strings.TrimSuffix(filepath.Base(p), "_policy.yaml"), "_", "-") + "-policy.yaml"
		copies[filepath.Join("config", "policy", filepath.Base(p))] = filepath.Join("files", name)
	}
	crds, err := filepath.Glob(filepath.Join(root, "config", "crd", "bases", "*.yaml"))
	if err != nil {
		return err
	}
	wanted := map[string]bool{}
	for _, c := range crds {
		copies[filepath.Join("config", "crd", "bases", filepath.Base(c))] = filepath.Join("crds", filepath.Base(c))
		wanted[filepath.Base(c)] = true
	}
	for from, to := range copies {
		data, err := os.ReadFile(filepath.Join(root, from))
		if err != nil {
			return err
		}
		if err := writeIfChanged(filepath.Join(chart, to), data); err != nil {
			return err
		}
	}
	carried, err := filepath.Glob(filepath.Join(chart, "crds", "*.yaml"))
	if err != nil {
		return err
	}
	for _, c := range carried {
		if !wanted[filepath.Base(c)] {
			if err := os.Remove(c); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeIfChanged leaves a file that already holds data untouched (its time too, so make
// sees nothing new).
func writeIfChanged(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	return os.WriteFile(path, data, 0o644)
}
