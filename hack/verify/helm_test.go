package verify

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func TestHelmChartLints(t *testing.T) {
	helm(t, "lint", "--strict", chartDir())
	helm(t, "lint", "--strict", chartDir(), "--set", "watchNamespaces={team-a,team-b}")
}

// TestHelmChartDefaultInstallIsHardened renders the chart with its default values: the same
// install as config/default, watching every namespace.
func TestHelmChartDefaultInstallIsHardened(t *testing.T) {
	ms := helmTemplate(t)

	var crds []string
	for _, m := range ms.ofKind("CustomResourceDefinition") {
		crds = append(crds, m.Name)
	}
	slices.Sort(crds)
	if want := []string{"flipsnackfeeds.prodlife.dev", "iotproducts.prodlife.dev"}; !slices.Equal(crds, want) {
		t.Errorf("the chart installs CRDs %v, want %v", crds, want)
	}

	c := checkHardenedManager(t, ms, installNamespace)
	checkClusterWideRBAC(t, ms, installNamespace)
	checkSecureMetrics(t, ms, installNamespace)
	checkAdmissionPolicies(t, ms, installNamespace)
	if ns := flagValue(c.Args, "--namespaces"); ns != "" {
		t.Errorf("default values restrict the manager to namespaces %q; want every namespace", ns)
	}
	// Only the memory limit (checkHardenedManager): no credentials from the environment.
	for _, e := range c.Env {
		if e.Name != "PRODLIFE_MEMORY_LIMIT" {
			t.Errorf("without alibabaCredentials the manager gets environment variable %s; want none but PRODLIFE_MEMORY_LIMIT, so the credential chain goes on to RRSA or the RAM role", e.Name)
		}
	}
}

// TestHelmChartWatchNamespacesGrantsOnlyThoseNamespaces: with watchNamespaces the manager
// is told its namespaces and its permissions are Roles there, nothing cluster-wide.
func TestHelmChartWatchNamespacesGrantsOnlyThoseNamespaces(t *testing.T) {
	watched := []string{"team-a", "team-b"}
	ms := helmTemplate(t, "--set", "watchNamespaces={team-a,team-b}")

	c := checkHardenedManager(t, ms, installNamespace)
	if got := flagValue(c.Args, "--namespaces"); got != "team-a,team-b" {
		t.Errorf("--namespaces=%q, want team-a,team-b", got)
	}
	checkNamespacedRBAC(t, ms, installNamespace, watched)
	checkSecureMetrics(t, ms, installNamespace)
}

// TestHelmChartValuesReachTheManager sets every documented value and checks the Deployment
// the manager would run with.
func TestHelmChartValuesReachTheManager(t *testing.T) {
	values := filepath.Join(t.TempDir(), "values.yaml")
	must(t, os.WriteFile(values, []byte(`
image: {repository: registry.example.com/prodlife/operator, tag: v1.2.3}
replicas: 2
endpoints:
  alibabaEndpoint: https://iot.cn-shanghai.aliyuncs.com
  flipsnackEndpoint: https://flipsnack.example.com/v1/
alibabaCredentials: {existingSecret: operator-alibaba}
rateLimits:
  flipsnackPerSecond: 3
  flipsnackPerMinute: 40
  alibabaQPS: {DeleteProduct: 100, CreateProduct: 20}
syncPeriod: 30m
resources:
  requests: {cpu: 100m, memory: 128Mi}
  limits: {cpu: "1", memory: 512Mi}
`), 0o644))
	ms := helmTemplate(t, "--values", values)
	dep := ms.onlyDeployment(t)
	c := checkHardenedManager(t, ms, installNamespace)

	if c.Image != "registry.example.com/prodlife/operator:v1.2.3" {
		t.Errorf("image %q", c.Image)
	}
	if dep.Spec.Replicas == nil || *dep.Spec.Replicas != 2 {
		t.Errorf("replicas %v, want 2", dep.Spec.Replicas)
	}
	for flag, want := range map[string]string{
		"--alibaba-endpoint":          "https://iot.cn-shanghai.aliyuncs.com",
		"--flipsnack-endpoint":        "https://flipsnack.example.com/v1/",
		"--flipsnack-rate-per-second": "3",
		"--flipsnack-rate-per-minute": "40",
		"--alibaba-qps":               "CreateProduct=20,DeleteProduct=100",
		"--sync-period":               "30m",
	} {
		if got := flagValue(c.Args, flag); got != want {
			t.Errorf("%s=%q, want %q (args %q)", flag, got, want, c.Args)
		}
	}
	if got := c.Resources.Limits[corev1.ResourceMemory]; got.Cmp(resource.MustParse("512Mi")) != 0 {
		t.Errorf("memory limit %s, want 512Mi", got.String())
	}
	checkCredentialsFrom(t, c, "operator-alibaba")
	if s := ms.ofKind("Secret"); len(s) != 0 {
		t.Errorf("with an existingSecret the chart renders Secrets %v; want none", s.names())
	}
}

// TestHelmChartCanCreateTheCredentialsSecret: with create, the chart makes the Secret, the
// manager reads it, and a change of the keys rolls the pods (environment is read at start).
func TestHelmChartCanCreateTheCredentialsSecret(t *testing.T) {
	render := func(secret string) (*appsv1.Deployment, *corev1.Container, manifests) {
		ms := helmTemplate(t, "--set", "alibabaCredentials.create=true",
			"--set", "alibabaCredentials.accessKeyId=LTAI5tExample", "--set", "alibabaCredentials.accessKeySecret="+secret)
		return ms.onlyDeployment(t), checkHardenedManager(t, ms, installNamespace), ms
	}
	dep, c, ms := render("first-secret")
	secrets := ms.ofKind("Secret")
	if len(secrets) != 1 || secrets[0].Namespace != installNamespace {
		t.Fatalf("rendered Secrets %v, want one in %s", secrets.names(), installNamespace)
	}
	s := decode[corev1.Secret](t, secrets[0])
	if s.StringData["accessKeyId"] != "LTAI5tExample" || s.StringData["accessKeySecret"] != "first-secret" {
		t.Errorf("Secret %s holds keys %v", s.Name, s.StringData)
	}
	checkCredentialsFrom(t, c, s.Name)

	rotated, _, _ := render("rotated-secret")
	if dep.Spec.Template.Annotations["checksum/alibaba-credentials"] == rotated.Spec.Template.Annotations["checksum/alibaba-credentials"] {
		t.Errorf("changing the credentials leaves the pod template unchanged, so running managers keep the old ones")
	}

	if _, err := helmOutput(t, "template", "prodlife", chartDir(), "--set", "alibabaCredentials.create=true"); err == nil {
		t.Errorf("create without the keys renders; want an error naming alibabaCredentials.accessKeyId")
	} else if want := "alibabaCredentials.accessKeyId is required when alibabaCredentials.create is true"; !strings.Contains(err.Error(), want) {
		t.Errorf("create without the keys fails, but the error does not say %q:\n%v", want, err)
	}
}

func TestHelmChartWithoutLeaderElection(t *testing.T) {
	ms := helmTemplate(t, "--set", "leaderElection.enabled=false")
	c := managerContainer(t, ms.onlyDeployment(t))
	if slices.Contains(c.Args, "--leader-elect") {
		t.Errorf("leaderElection.enabled=false still passes --leader-elect")
	}
	for _, m := range ms.ofKind("Role") {
		t.Errorf("without leader election the chart still grants %s", m)
	}
}

// checkCredentialsFrom checks that the default credential chain's variables come from the
// Secret's keys, the security token being optional.
func checkCredentialsFrom(t *testing.T, c *corev1.Container, secret string) {
	t.Helper()
	want := map[string]string{
		"ALIBABA_CLOUD_ACCESS_KEY_ID":     "accessKeyId",
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "accessKeySecret",
		"ALIBABA_CLOUD_SECURITY_TOKEN":    "securityToken",
	}
	for _, e := range c.Env {
		key, ok := want[e.Name]
		if !ok {
			continue
		}
		delete(want, e.Name)
		ref := e.ValueFrom
		if ref == nil || ref.SecretKeyRef == nil || ref.SecretKeyRef.Name != secret || ref.SecretKeyRef.Key != key {
			t.Errorf("%s comes from %+v, want key %s of Secret %s", e.Name, ref, key, secret)
		}
	}
	for name := range want {
		t.Errorf("the manager has no %s from Secret %s", name, secret)
	}
}

// TestHelmChartPlainHTTPMetricsOnlyWhenAsked: metrics.secure=false is the one way to plain
// HTTP; it passes --metrics-secure=false and drops the review permissions it no longer needs.
func TestHelmChartPlainHTTPMetricsOnlyWhenAsked(t *testing.T) {
	ms := helmTemplate(t, "--set", "metrics.secure=false")
	c := managerContainer(t, ms.onlyDeployment(t))
	if got := flagValue(c.Args, "--metrics-secure"); got != "false" {
		t.Errorf("--metrics-secure=%q, want false", got)
	}
	for _, m := range ms.ofKind("ClusterRole") {
		if reflect.DeepEqual(decode[rbacv1.ClusterRole](t, m).Rules, metricsAuthRules) {
			t.Errorf("plain HTTP metrics still grant %s", m)
		}
	}
	for _, m := range ms.ofKind("Service") {
		if svc := decode[corev1.Service](t, m); len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Name != "http" {
			t.Errorf("Service %s ports %+v, want one named http", svc.Name, svc.Spec.Ports)
		}
	}
	checkLeastPrivilege(t, ms)
}

// TestHelmChartRefusesReplicasWithoutLeaderElection: several replicas without leader
// election would all reconcile, and delete on the platforms, at once; the chart refuses to
// render that, saying what to set. One replica without it, or several with it, render.
func TestHelmChartRefusesReplicasWithoutLeaderElection(t *testing.T) {
	_, err := helmOutput(t, "template", "prodlife", chartDir(), "--set", "replicas=2", "--set", "leaderElection.enabled=false")
	if err == nil {
		t.Fatal("replicas=2 without leader election renders; want an error")
	}
	for _, want := range []string{"replicas is 2 but leaderElection.enabled is false", "Set leaderElection.enabled=true, or replicas=1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q:\n%v", want, err)
		}
	}
	helmTemplate(t, "--set", "replicas=1", "--set", "leaderElection.enabled=false")
	helmTemplate(t, "--set", "replicas=3", "--set", "leaderElection.enabled=true")
}

// TestHelmChartNeedsKubernetes130: the deletion protection is a ValidatingAdmissionPolicy,
// GA (admissionregistration.k8s.io/v1) from Kubernetes 1.30; the chart refuses older clusters
// rather than install without it.
func TestHelmChartNeedsKubernetes130(t *testing.T) {
	_, err := helmOutput(t, "template", "prodlife", chartDir(), "--kube-version", "1.29.9")
	if err == nil || !strings.Contains(err.Error(), ">=1.30.0-0") {
		t.Errorf("Kubernetes 1.29: %v; want the chart's kubeVersion >=1.30.0-0 refusing it", err)
	}
	for _, v := range []string{"1.30.0", "1.30.2-eks-1234", "1.37.2"} {
		if _, err := helmOutput(t, "template", "prodlife", chartDir(), "--kube-version", v); err != nil {
			t.Errorf("Kubernetes %s: %v", v, err)
		}
	}
}

// TestHelmChartTrustIsTheAdministratorsToGive: by default no namespace may use the operator's
// own credentials and no one but the manager is trusted with its annotations; the values
// that widen either land where the manager and the admission policies read them.
func TestHelmChartTrustIsTheAdministratorsToGive(t *testing.T) {
	c := managerContainer(t, helmTemplate(t).onlyDeployment(t))
	if got := flagValue(c.Args, "--default-credentials-namespaces"); got != "" {
		t.Errorf("default values let namespaces %q use the operator's own credentials; want none", got)
	}

	ms := helmTemplate(t, "--set", "defaultCredentialsNamespaces={team-a,team-b}",
		"--set", "admission.restoreUsernames={system:serviceaccount:velero:velero}", "--set", "admission.restoreGroups={backup}")
	if got := flagValue(managerContainer(t, ms.onlyDeployment(t)).Args, "--default-credentials-namespaces"); got != "team-a,team-b" {
		t.Errorf("--default-credentials-namespaces=%q, want team-a,team-b", got)
	}
	checkAdmissionPolicies(t, ms, installNamespace)
	want := []rbacv1.Subject{
		{Kind: "ServiceAccount", Namespace: "velero", Name: "velero"},
		{APIGroup: rbacv1.GroupName, Kind: "Group", Name: "backup"},
	}
	if got := grantees(t, ms, "restore"); !slices.EqualFunc(got, want, func(a, b rbacv1.Subject) bool { return a == b }) {
		t.Errorf("trusted for restores (restore on prodlife.dev identities): %+v, want %+v", got, want)
	}
	if got := grantees(t, helmTemplate(t), "restore"); len(got) != 0 {
		t.Errorf("default values trust %+v for restores, want no one", got)
	}
}

// grantees are the subjects a ClusterRoleBinding grants verb on prodlife.dev identities, the
// grant the identity annotations policy asks RBAC for.
func grantees(t *testing.T, ms manifests, verb string) []rbacv1.Subject {
	t.Helper()
	roles := map[string]bool{}
	for _, m := range ms.ofKind("ClusterRole") {
		role := decode[rbacv1.ClusterRole](t, m)
		for _, r := range role.Rules {
			if slices.Contains(r.APIGroups, "prodlife.dev") && slices.Contains(r.Resources, "identities") && slices.Contains(r.Verbs, verb) {
				roles[role.Name] = true
			}
		}
	}
	var out []rbacv1.Subject
	for _, m := range ms.ofKind("ClusterRoleBinding") {
		if b := decode[rbacv1.ClusterRoleBinding](t, m); roles[b.RoleRef.Name] {
			out = append(out, b.Subjects...)
		}
	}
	return out
}
