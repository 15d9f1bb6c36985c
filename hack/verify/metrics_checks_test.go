package verify

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

// The metrics endpoint as kubebuilder v4 scaffolds it: HTTPS, each scrape's bearer token
// authenticated (TokenReview) and authorized (SubjectAccessReview) by the API server.

// metricsAuthRules let the manager ask the API server about a scraper.
var metricsAuthRules = []rbacv1.PolicyRule{
	{APIGroups: []string{"authentication.k8s.io"}, Resources: []string{"tokenreviews"}, Verbs: []string{"create"}},
	{APIGroups: []string{"authorization.k8s.io"}, Resources: []string{"subjectaccessreviews"}, Verbs: []string{"create"}},
}

// metricsReaderRules are what a scraper needs.
var metricsReaderRules = []rbacv1.PolicyRule{{NonResourceURLs: []string{"/metrics"}, Verbs: []string{"get"}}}

// isMetricsRole says whether a ClusterRole is one of the two of the metrics endpoint.
func isMetricsRole(t *testing.T, m manifest) bool {
	t.Helper()
	rules := decode[rbacv1.ClusterRole](t, m).Rules
	return reflect.DeepEqual(rules, metricsAuthRules) || reflect.DeepEqual(rules, metricsReaderRules)
}

// checkSecureMetrics checks that the manager serves its metrics over HTTPS to authorized
// scrapers only: --metrics-secure is not switched off, the manager may create TokenReviews and
// SubjectAccessReviews, a metrics-reader ClusterRole exists for scrapers and the install binds
// it to no one, and the metrics Service is HTTPS on 8443, reaching --metrics-bind-address.
func checkSecureMetrics(t *testing.T, ms manifests, namespace string) {
	t.Helper()
	c := managerContainer(t, ms.onlyDeployment(t))
	sa := ms.onlyDeployment(t).Spec.Template.Spec.ServiceAccountName
	if v := flagValue(c.Args, "--metrics-secure"); v != "" && v != "true" {
		t.Errorf("--metrics-secure=%s: the metrics are served in plain HTTP to anyone who reaches the port", v)
	}
	var auth, reader string
	for _, m := range ms.ofKind("ClusterRole") {
		switch rules := decode[rbacv1.ClusterRole](t, m).Rules; {
		case reflect.DeepEqual(rules, metricsAuthRules):
			auth = m.Name
		case reflect.DeepEqual(rules, metricsReaderRules):
			reader = m.Name
		}
	}
	if auth == "" || !bound(t, ms.ofKind("ClusterRoleBinding"), "ClusterRole", auth, sa, namespace) {
		t.Errorf("no ClusterRole granting exactly %+v bound to ServiceAccount %s/%s: the manager cannot check a scraper's token; rendered %v", metricsAuthRules, namespace, sa, ms.names())
	}
	if reader == "" || !strings.HasSuffix(reader, "metrics-reader") {
		t.Errorf("no metrics-reader ClusterRole granting exactly %+v for scrapers to be bound to; rendered %v", metricsReaderRules, ms.names())
	}
	for _, b := range ms.ofKind("ClusterRoleBinding") {
		if ref := decode[rbacv1.ClusterRoleBinding](t, b).RoleRef; ref.Name == reader {
			t.Errorf("%s binds %s: the install must leave it to the cluster's admin who may read the metrics", b, reader)
		}
	}

	bindPort := flagValue(c.Args, "--metrics-bind-address")
	var found bool
	for _, m := range ms.ofKind("Service") {
		svc := decode[corev1.Service](t, m)
		if !strings.HasSuffix(svc.Name, "metrics") {
			continue
		}
		found = true
		if svc.Namespace != namespace {
			t.Errorf("metrics Service %s in namespace %q, want %q", svc.Name, svc.Namespace, namespace)
		}
		if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Name != "https" || svc.Spec.Ports[0].Port != 8443 {
			t.Fatalf("metrics Service %s ports %+v, want one named https on 8443", svc.Name, svc.Spec.Ports)
		}
		if port := containerPort(c, svc.Spec.Ports[0].TargetPort); port == "" || !strings.HasSuffix(bindPort, ":"+port) {
			t.Errorf("metrics Service targets %s (container port %q), but --metrics-bind-address is %q", svc.Spec.Ports[0].TargetPort.String(), port, bindPort)
		}
	}
	if !found {
		t.Errorf("no metrics Service; rendered %v", ms.names())
	}
}

// checkNonResourceRules refuses a rule on non-resource URLs other than get on /metrics.
func checkNonResourceRules(t *testing.T, r rbacv1.PolicyRule) {
	t.Helper()
	if len(r.NonResourceURLs) == 0 {
		return
	}
	if !slices.Equal(r.NonResourceURLs, []string{"/metrics"}) || !slices.Equal(r.Verbs, []string{"get"}) {
		t.Errorf("rule %+v grants non-resource URLs beyond get on /metrics", r)
	}
}
