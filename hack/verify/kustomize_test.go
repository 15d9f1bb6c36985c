package verify

import (
	"slices"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// installNamespace is where config/default and the documented Helm install put the operator.
const installNamespace = "prodlife-system"

// TestDefaultInstallRenders renders config/default as `make deploy` would and checks that a
// complete install comes out: the namespace, every kind's CRD, the manager's RBAC and its
// Deployment.
func TestDefaultInstallRenders(t *testing.T) {
	ms := parseManifests(t, kustomize(t, "config/default"))
	var crds []string
	for _, k := range v1alpha1.Kinds {
		crds = append(crds, "CustomResourceDefinition/"+k.CRDName())
	}
	for _, want := range append(crds,
		"Namespace/"+installNamespace,
		"ClusterRole/prodlife-manager-role",
		"ClusterRoleBinding/prodlife-manager-rolebinding",
		"ServiceAccount/"+installNamespace+"/prodlife-controller-manager",
		"Role/"+installNamespace+"/prodlife-leader-election-role",
		"RoleBinding/"+installNamespace+"/prodlife-leader-election-rolebinding",
		"ClusterRole/prodlife-metrics-auth-role",
		"ClusterRoleBinding/prodlife-metrics-auth-rolebinding",
		"ClusterRole/prodlife-metrics-reader",
		"Service/"+installNamespace+"/prodlife-controller-manager-metrics",
		"Deployment/"+installNamespace+"/prodlife-controller-manager",
	) {
		if !slices.Contains(ms.names(), want) {
			t.Errorf("config/default does not render %s; rendered: %v", want, ms.names())
		}
	}
}

// TestDefaultInstallIsHardened checks what makes config/default fit for production: the
// restricted Pod Security Standard enforced on its namespace, every namespaced object in it,
// a hardened leader-elected manager, and least-privilege RBAC.
func TestDefaultInstallIsHardened(t *testing.T) {
	ms := parseManifests(t, kustomize(t, "config/default"))

	ns := ms.ofKind("Namespace")
	if len(ns) != 1 || ns[0].Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
		t.Errorf("namespace %v: want %s with label pod-security.kubernetes.io/enforce=restricted", ns, installNamespace)
	}
	for _, m := range ms {
		switch m.Kind {
		case "Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding":
		default:
			if m.Namespace != installNamespace {
				t.Errorf("%s is not in %s", m, installNamespace)
			}
		}
	}

	checkHardenedManager(t, ms, installNamespace)
	checkClusterWideRBAC(t, ms, installNamespace)
	checkSecureMetrics(t, ms, installNamespace)
	checkAdmissionPolicies(t, ms, installNamespace)
}

// TestDefaultInstallTakesTheOperatorsCredentialsFromAnOptionalSecret: the manager's own
// Alibaba credentials come from the Secret prodlife-alibaba-credentials when it exists, and
// the install works without it (the credential chain then goes on to RRSA or the RAM role).
func TestDefaultInstallTakesTheOperatorsCredentialsFromAnOptionalSecret(t *testing.T) {
	ms := parseManifests(t, kustomize(t, "config/default"))
	c := managerContainer(t, ms.onlyDeployment(t))
	checkCredentialsFrom(t, c, "prodlife-alibaba-credentials")
	for _, e := range c.Env {
		if ref := e.ValueFrom; ref != nil && ref.SecretKeyRef != nil && (ref.SecretKeyRef.Optional == nil || !*ref.SecretKeyRef.Optional) {
			t.Errorf("%s needs the Secret %s: without it the manager would not start", e.Name, ref.SecretKeyRef.Name)
		}
	}
}

// TestPrometheusMonitorScrapesOverHTTPSWithAToken: the ServiceMonitor of config/prometheus
// scrapes the metrics Service's https port with its ServiceAccount's token, as the manager's
// secure endpoint requires.
func TestPrometheusMonitorScrapesOverHTTPSWithAToken(t *testing.T) {
	monitors := parseManifests(t, kustomize(t, "config/prometheus")).ofKind("ServiceMonitor")
	if len(monitors) != 1 || monitors[0].Namespace != installNamespace {
		t.Fatalf("want one ServiceMonitor in %s, rendered %v", installNamespace, monitors.names())
	}
	monitor := decode[struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   any    `json:"metadata"`
		Spec       struct {
			Selector  any `json:"selector"`
			Endpoints []struct {
				Port            string `json:"port"`
				Path            string `json:"path"`
				Scheme          string `json:"scheme"`
				BearerTokenFile string `json:"bearerTokenFile"`
				TLSConfig       struct {
					InsecureSkipVerify bool `json:"insecureSkipVerify"`
				} `json:"tlsConfig"`
			} `json:"endpoints"`
		} `json:"spec"`
	}](t, monitors[0])
	if len(monitor.Spec.Endpoints) != 1 {
		t.Fatalf("endpoints %+v, want one", monitor.Spec.Endpoints)
	}
	ep := monitor.Spec.Endpoints[0]
	if ep.Port != "https" || ep.Scheme != "https" || ep.Path != "/metrics" {
		t.Errorf("scrapes port %q scheme %q path %q, want the Service's https port over https at /metrics", ep.Port, ep.Scheme, ep.Path)
	}
	if ep.BearerTokenFile != "/var/run/secrets/kubernetes.io/serviceaccount/token" {
		t.Errorf("bearerTokenFile %q: without Prometheus' token every scrape is refused", ep.BearerTokenFile)
	}
	if !ep.TLSConfig.InsecureSkipVerify {
		t.Errorf("tlsConfig verifies the manager's self-signed certificate, so every scrape fails; see the comment in monitor.yaml for cert-manager")
	}
}
