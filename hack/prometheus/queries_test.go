package prometheus

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
	"sigs.k8s.io/yaml"
)

// Every query of the Grafana dashboard (config/grafana/dashboard.json) and of the alerts
// (config/prometheus/rules.yaml) must parse as PromQL and name only metrics the manager
// exports, with their own labels: a renamed metric or label would otherwise leave a panel
// empty and an alert silent, with nothing to say so. The exported metrics are
// exported-metrics.txt, which hack/verify keeps equal to what the manager registers. (This
// module has the PromQL parser; the manager's module does not take its dependencies.)

// exported is one metric of exported-metrics.txt.
type exported struct {
	kind   string
	labels []string
}

// scrapeLabels are those Prometheus adds to every series of a target.
var scrapeLabels = []string{"namespace", "pod", "instance", "job", "service", "endpoint", "container"}

func readExported(t *testing.T) map[string]exported {
	t.Helper()
	data, err := os.ReadFile("exported-metrics.txt")
	if err != nil {
		t.Fatal(err)
	}
	metrics := map[string]exported{}
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		m := exported{kind: f[1]}
		if len(f) > 2 {
			m.labels = strings.Split(f[2], ",")
		}
		metrics[f[0]] = m
		if m.kind == "histogram" {
			// The series a classic histogram is exported as.
			metrics[f[0]+"_bucket"] = exported{kind: "counter", labels: append(slices.Clone(m.labels), "le")}
			metrics[f[0]+"_sum"] = exported{kind: "counter", labels: m.labels}
			metrics[f[0]+"_count"] = exported{kind: "counter", labels: m.labels}
		}
	}
	if len(metrics) == 0 {
		t.Fatal("exported-metrics.txt lists no metric")
	}
	return metrics
}

// checkQuery parses a query and checks each selector's metric and label names.
func checkQuery(t *testing.T, where, query string, metrics map[string]exported) {
	t.Helper()
	expr, err := parser.NewParser(parser.Options{}).ParseExpr(query)
	if err != nil {
		t.Errorf("%s: %v\n%s", where, err, query)
		return
	}
	selectors := 0
	parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
		vs, ok := node.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		selectors++
		if vs.Name == "" {
			t.Errorf("%s: a selector without a metric name: %s", where, vs)
			return nil
		}
		m, ok := metrics[vs.Name]
		if !ok {
			t.Errorf("%s: names %s, which the manager does not export (exported-metrics.txt)", where, vs.Name)
			return nil
		}
		for _, matcher := range vs.LabelMatchers { // "__name__" matches the metric name itself
			if matcher.Name == "__name__" || slices.Contains(m.labels, matcher.Name) || slices.Contains(scrapeLabels, matcher.Name) {
				continue
			}
			t.Errorf("%s: selects %s by label %q, which it does not have (%v)", where, vs.Name, matcher.Name, m.labels)
		}
		return nil
	})
	if selectors == 0 {
		t.Errorf("%s: selects no metric: %s", where, query)
	}
}

func TestAlertQueriesNameExportedMetrics(t *testing.T) {
	metrics := readExported(t)
	data, err := os.ReadFile(filepath.Join("..", "..", "config", "prometheus", "rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var rule struct {
		Spec struct {
			Groups []struct {
				Rules []struct {
					Alert string `json:"alert"`
					Expr  string `json:"expr"`
				} `json:"rules"`
			} `json:"groups"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(data, &rule); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range rule.Spec.Groups {
		for _, r := range g.Rules {
			n++
			checkQuery(t, "alert "+r.Alert, r.Expr, metrics)
		}
	}
	if n == 0 {
		t.Fatal("rules.yaml holds no rule")
	}
}

// grafanaVariables are replaced in a dashboard query before it is parsed: the interval
// variables by a duration, the dashboard's own by a regular expression.
var grafanaVariables = strings.NewReplacer(
	"$__rate_interval", "5m", "${__rate_interval}", "5m", "$__interval", "1m", "$__range", "1h",
	"${namespace}", ".*", "$namespace", ".*",
)

var leftVariable = regexp.MustCompile(`\$\{?\w+`)

// labelValues is Grafana's label_values(selector, label) of a variable's query.
var labelValues = regexp.MustCompile(`^label_values\((.+),\s*(\w+)\)$`)

func TestDashboardQueriesNameExportedMetrics(t *testing.T) {
	metrics := readExported(t)
	data, err := os.ReadFile(filepath.Join("..", "..", "config", "grafana", "dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Templating struct {
			List []struct {
				Name  string `json:"name"`
				Type  string `json:"type"`
				Query any    `json:"query"`
			} `json:"list"`
		} `json:"templating"`
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatalf("dashboard.json: %v", err)
	}
	check := func(where, query string) {
		q := grafanaVariables.Replace(query)
		if v := leftVariable.FindString(q); v != "" {
			t.Errorf("%s: uses %s, which the dashboard does not define: %s", where, v, query)
			return
		}
		checkQuery(t, where, q, metrics)
	}
	queries := 0
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, target := range p.Targets {
			queries++
			check("panel "+p.Title, target.Expr)
		}
	}
	for _, v := range dash.Templating.List {
		if v.Type != "query" {
			continue
		}
		q, _ := v.Query.(map[string]any)["query"].(string)
		m := labelValues.FindStringSubmatch(q)
		if m == nil {
			t.Errorf("variable %s: query %q is not label_values(selector, label)", v.Name, q)
			continue
		}
		check("variable "+v.Name, m[1])
	}
	if queries == 0 {
		t.Fatal("dashboard.json holds no query")
	}
}
