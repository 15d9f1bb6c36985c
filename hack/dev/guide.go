package main

import (
	"os"
	"path/filepath"
	"strings"
	"text/template"
	"time"

	"github.com/prodlife/product-lifecycle-operator/internal/devenv"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// guide is what a newcomer reads once everything runs: where things are and what to try.
var guide = template.Must(template.New("guide").Parse(`
Ready in {{.Took}}, on loopback only:

  kubeconfig        {{.Kubeconfig}}
  kube-apiserver    {{.Env.APIServerURL}} (etcd, namespace controller, the CRDs)
  Alibaba IoT API   {{printf "%-30s" .Env.AlibabaEndpoint}} inspect: {{.Env.AlibabaURL}}/_sim/state, /_sim/calls
  Flipsnack API     {{printf "%-30s" .Env.FlipsnackEndpoint}} inspect: {{.Env.FlipsnackURL}}/_sim/state, /_sim/calls
  logs              {{.ManagerLog}}, {{.SimulatorLog}}
  manager runs as   {{.ManagerIdentity}}
                    (kubeconfig {{.ManagerKubeconfig}})

In namespace {{.Namespace}}: the Secrets {{.Secrets}} (demo credentials the
simulators accept){{if .Applied}} and the samples {{.Applied}}{{end}}.

Try, in another terminal:

  export KUBECONFIG={{.Kubeconfig}}
  kubectl get prodlife -A
  kubectl --kubeconfig {{.ManagerKubeconfig}} auth whoami    # the manager's identity
  kubectl wait --for=condition=Ready iotproduct/temperature-sensor flipsnackfeed/spring-catalogue
  curl -s {{.Env.AlibabaURL}}/_sim/state    # the product on the simulated IoT platform
  curl -s {{.Env.FlipsnackURL}}/_sim/state    # the feed and its SKUs on simulated Flipsnack

Delete a product and watch the finalizer call the platform before the object goes:

  kubectl delete iotproduct temperature-sensor
  curl -s '{{.Env.AlibabaURL}}/_sim/calls?action=DeleteProduct'
  kubectl get events --field-selector reason=Deleted
  grep DeleteProduct {{.ManagerLog}}

Ctrl-C stops everything.
`))

func printGuide(env *devenv.Env, opts devenv.Options, namespace string, applied []string, took time.Duration) {
	abs := func(p string) string {
		if a, err := filepath.Abs(p); err == nil {
			return a
		}
		return p
	}
	_ = guide.Execute(os.Stdout, map[string]any{
		"Took":              took.Round(100 * time.Millisecond),
		"Env":               env,
		"Kubeconfig":        abs(env.Kubeconfig),
		"ManagerLog":        env.ManagerLog,
		"SimulatorLog":      filepath.Join(opts.LogDir(), "simulators.log"),
		"Namespace":         namespace,
		"Secrets":           devenv.AlibabaSecretName + " and " + devenv.FlipsnackSecretName,
		"Applied":           strings.Join(applied, ", "),
		"ManagerKubeconfig": abs(env.ManagerKubeconfig()),
		"ManagerIdentity":   managerIdentity(opts),
	})
}

func managerIdentity(opts devenv.Options) string {
	if opts.AsInstalled {
		return testenv.OperatorUsername(testenv.OperatorNamespace, testenv.OperatorServiceAccount) + " (the RBAC of config/rbac)"
	}
	return "a user in system:masters (--as-installed=false)"
}
