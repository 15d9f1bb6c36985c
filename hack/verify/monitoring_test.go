package verify

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// The alerts (config/prometheus/rules.yaml, a PrometheusRule) and the Grafana dashboard
// (config/grafana/dashboard.json) of docs/operate.md: the alerts checked and unit-tested with
// the pinned promtool, and both installed alike by kustomize and by the Helm chart.

// prometheusRule is what the tests read of a PrometheusRule.
type prometheusRule struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string            `json:"name"`
		Namespace string            `json:"namespace"`
		Labels    map[string]string `json:"labels"`
	} `json:"metadata"`
	Spec ruleGroups `json:"spec"`
}

type ruleGroups struct {
	Groups []struct {
		Name  string `json:"name"`
		Rules []struct {
			Alert       string            `json:"alert"`
			Expr        string            `json:"expr"`
			For         string            `json:"for"`
			Labels      map[string]string `json:"labels"`
			Annotations map[string]string `json:"annotations"`
		} `json:"rules"`
	} `json:"groups"`
}

func rulesFile() string {
	return filepath.Join(testenv.RepoRoot(), "config", "prometheus", "rules.yaml")
}

func dashboardFile() string {
	return filepath.Join(testenv.RepoRoot(), "config", "grafana", "dashboard.json")
}

func readPrometheusRule(t *testing.T, data []byte) prometheusRule {
	t.Helper()
	var r prometheusRule
	if err := yaml.UnmarshalStrict(data, &r); err != nil {
		t.Fatalf("not a PrometheusRule as the tests know it: %v", err)
	}
	if r.APIVersion != "monitoring.coreos.com/v1" || r.Kind != "PrometheusRule" {
		t.Fatalf("apiVersion %q kind %q, want monitoring.coreos.com/v1 PrometheusRule", r.APIVersion, r.Kind)
	}
	return r
}

// promtoolBinary is the promtool the Makefile built from hack/prometheus: $PROMTOOL as
// `make test` passes it, or bin/promtool-<version> for a plain `go test`.
func promtoolBinary(t *testing.T) string {
	return pinnedTool(t, "PROMTOOL", "prometheus", "promtool", `github\.com/prometheus/prometheus`)
}

func promtool(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(promtoolBinary(t), args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out.Bytes())
	}
}

// TestAlertRulesPassPromtool writes the PrometheusRule's groups to a rules file, as the
// Prometheus Operator hands them to Prometheus, and runs `promtool check rules` (syntax,
// templates, duplicates) and `promtool test rules` on config/prometheus/rules_test.yaml.
func TestAlertRulesPassPromtool(t *testing.T) {
	data, err := os.ReadFile(rulesFile())
	must(t, err)
	rule := readPrometheusRule(t, data)
	groups, err := yaml.Marshal(rule.Spec)
	must(t, err)
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "rules.groups.yaml"), groups, 0o644))
	tests, err := os.ReadFile(filepath.Join(filepath.Dir(rulesFile()), "rules_test.yaml"))
	must(t, err)
	must(t, os.WriteFile(filepath.Join(dir, "rules_test.yaml"), tests, 0o644))

	promtool(t, dir, "check", "rules", "rules.groups.yaml")
	promtool(t, dir, "test", "rules", "rules_test.yaml")
}

// TestEveryAlertIsTestedAndSaysWhatToDo: each alert has a severity, a summary and a
// description, and rules_test.yaml has, for each, a case that fires it and one where it must
// stay silent; and no case names an alert that does not exist.
func TestEveryAlertIsTestedAndSaysWhatToDo(t *testing.T) {
	data, err := os.ReadFile(rulesFile())
	must(t, err)
	rule := readPrometheusRule(t, data)
	var alerts []string
	for _, g := range rule.Spec.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			alerts = append(alerts, r.Alert)
			if !slices.Contains([]string{"critical", "warning", "info"}, r.Labels["severity"]) {
				t.Errorf("alert %s: severity %q, want critical, warning or info", r.Alert, r.Labels["severity"])
			}
			if r.Annotations["summary"] == "" || len(r.Annotations["description"]) < 100 {
				t.Errorf("alert %s: want a summary and a description that says what to do, have %q", r.Alert, r.Annotations)
			}
		}
	}
	if len(alerts) == 0 {
		t.Fatal("config/prometheus/rules.yaml holds no alert")
	}

	var tests struct {
		RuleFiles []string `json:"rule_files"`
		Tests     []struct {
			AlertRuleTests []struct {
				AlertName string `json:"alertname"`
				ExpAlerts []any  `json:"exp_alerts"`
			} `json:"alert_rule_test"`
		} `json:"tests"`
	}
	data, err = os.ReadFile(filepath.Join(filepath.Dir(rulesFile()), "rules_test.yaml"))
	must(t, err)
	must(t, yaml.Unmarshal(data, &tests))
	fires, silent := map[string]bool{}, map[string]bool{}
	for _, tc := range tests.Tests {
		for _, at := range tc.AlertRuleTests {
			if !slices.Contains(alerts, at.AlertName) {
				t.Errorf("rules_test.yaml tests alert %q, which rules.yaml does not have", at.AlertName)
			}
			if len(at.ExpAlerts) > 0 {
				fires[at.AlertName] = true
			} else {
				silent[at.AlertName] = true
			}
		}
	}
	for _, a := range alerts {
		if !fires[a] {
			t.Errorf("rules_test.yaml has no case where alert %s fires", a)
		}
		if !silent[a] {
			t.Errorf("rules_test.yaml has no case where alert %s must not fire", a)
		}
	}
}

// TestPrometheusKustomizationInstallsTheAlerts: `kubectl apply -k config/prometheus` installs
// the PrometheusRule beside the ServiceMonitor, in the operator's namespace.
func TestPrometheusKustomizationInstallsTheAlerts(t *testing.T) {
	rules := parseManifests(t, kustomize(t, "config/prometheus")).ofKind("PrometheusRule")
	if len(rules) != 1 || rules[0].Namespace != installNamespace {
		t.Fatalf("want one PrometheusRule in %s, rendered %v", installNamespace, rules.names())
	}
	data, err := os.ReadFile(rulesFile())
	must(t, err)
	if got, want := readPrometheusRule(t, rules[0].YAML).Spec, readPrometheusRule(t, data).Spec; !reflect.DeepEqual(got, want) {
		t.Errorf("config/prometheus renders rules that differ from rules.yaml:\n%+v", got)
	}
}

// TestGrafanaKustomizationInstallsTheDashboard: `kubectl apply -k config/grafana` makes a
// ConfigMap with the sidecar's label and the dashboard as it is.
func TestGrafanaKustomizationInstallsTheDashboard(t *testing.T) {
	cms := parseManifests(t, kustomize(t, "config/grafana")).ofKind("ConfigMap")
	if len(cms) != 1 || cms[0].Namespace != installNamespace {
		t.Fatalf("want one ConfigMap in %s, rendered %v", installNamespace, cms.names())
	}
	checkDashboardConfigMap(t, cms[0], map[string]string{"grafana_dashboard": "1"})
}

// checkDashboardConfigMap checks that a ConfigMap carries the labels and, as its one entry,
// config/grafana/dashboard.json (compared as JSON: a renderer may change the final newline).
func checkDashboardConfigMap(t *testing.T, m manifest, labels map[string]string) {
	t.Helper()
	cm := decode[corev1.ConfigMap](t, m)
	for k, v := range labels {
		if cm.Labels[k] != v {
			t.Errorf("ConfigMap %s labels %v, want %s=%q (the sidecar loads dashboards by it)", cm.Name, cm.Labels, k, v)
		}
	}
	if len(cm.Data) != 1 {
		t.Fatalf("ConfigMap %s holds %d entries, want the dashboard alone", cm.Name, len(cm.Data))
	}
	want, err := os.ReadFile(dashboardFile())
	must(t, err)
	for name, got := range cm.Data {
		if !strings.HasSuffix(name, ".json") {
			t.Errorf("ConfigMap %s entry %q: the sidecar wants a .json file name", cm.Name, name)
		}
		var g, w any
		if err := json.Unmarshal([]byte(got), &g); err != nil {
			t.Fatalf("ConfigMap %s entry %s is not JSON: %v", cm.Name, name, err)
		}
		must(t, json.Unmarshal(want, &w))
		if !reflect.DeepEqual(g, w) {
			t.Errorf("ConfigMap %s entry %s is not config/grafana/dashboard.json", cm.Name, name)
		}
	}
}

// TestHelmChartMonitoringIsOptIn: by default the chart renders neither the PrometheusRule
// (its CRD may be missing) nor the dashboard; with prometheusRule.enabled and
// grafanaDashboard.enabled it renders both, the same as config/, with the labels asked for,
// and the chart still lints.
func TestHelmChartMonitoringIsOptIn(t *testing.T) {
	off := helmTemplate(t)
	if rules := off.ofKind("PrometheusRule"); len(rules) != 0 {
		t.Errorf("default values render %v; want no PrometheusRule", rules.names())
	}
	for _, cm := range off.ofKind("ConfigMap") {
		if cm.Labels["grafana_dashboard"] != "" {
			t.Errorf("default values render the dashboard %s", cm)
		}
	}

	on := []string{"--set", "prometheusRule.enabled=true", "--set", "prometheusRule.labels.release=kube-prometheus-stack",
		"--set", "grafanaDashboard.enabled=true", "--set", "grafanaDashboard.annotations.grafana_folder=Operators"}
	helm(t, append([]string{"lint", "--strict", chartDir()}, on...)...)
	ms := helmTemplate(t, on...)

	rules := ms.ofKind("PrometheusRule")
	if len(rules) != 1 || rules[0].Namespace != installNamespace || rules[0].Labels["release"] != "kube-prometheus-stack" {
		t.Fatalf("want one PrometheusRule in %s labelled release=kube-prometheus-stack, rendered %v %v", installNamespace, rules.names(), rules)
	}
	data, err := os.ReadFile(rulesFile())
	must(t, err)
	if got, want := readPrometheusRule(t, rules[0].YAML).Spec, readPrometheusRule(t, data).Spec; !reflect.DeepEqual(got, want) {
		t.Errorf("the chart's PrometheusRule differs from config/prometheus/rules.yaml (its templates must reach Prometheus untouched):\n%+v", got)
	}

	var dashboards manifests
	for _, cm := range ms.ofKind("ConfigMap") {
		if cm.Labels["grafana_dashboard"] != "" {
			dashboards = append(dashboards, cm)
		}
	}
	if len(dashboards) != 1 || dashboards[0].Namespace != installNamespace {
		t.Fatalf("want one dashboard ConfigMap in %s, rendered %v", installNamespace, ms.ofKind("ConfigMap").names())
	}
	checkDashboardConfigMap(t, dashboards[0], map[string]string{"grafana_dashboard": "1"})
	if a := decode[corev1.ConfigMap](t, dashboards[0]).Annotations["grafana_folder"]; a != "Operators" {
		t.Errorf("grafanaDashboard.annotations did not reach the ConfigMap: grafana_folder=%q", a)
	}

	other := helmTemplate(t, "--set", "prometheusRule.enabled=true", "--set", "prometheusRule.namespace=monitoring",
		"--set", "grafanaDashboard.enabled=true", "--set", "grafanaDashboard.namespace=monitoring")
	for _, m := range other {
		if (m.Kind == "PrometheusRule" || m.Labels["grafana_dashboard"] != "") && m.Namespace != "monitoring" {
			t.Errorf("%s: the namespace value did not reach it", m)
		}
	}
}

// The chart cannot read config/: it carries copies of the alerts and the dashboard.
func TestChartMonitoringFilesAreConfigs(t *testing.T) {
	for original, copied := range map[string]string{
		rulesFile():     filepath.Join(chartDir(), "files", "prometheus-rules.yaml"),
		dashboardFile(): filepath.Join(chartDir(), "files", "grafana-dashboard.json"),
	} {
		want, err := os.ReadFile(original)
		must(t, err)
		got, err := os.ReadFile(copied)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is not a copy of %s (%v): copy it over", copied, original, err)
		}
	}
}
