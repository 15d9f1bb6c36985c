package verify

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// The checks every way of installing the operator (kustomize, Helm) must pass: a hardened,
// leader-elected manager and RBAC that grants what the code needs and nothing more.

// checkHardenedManager checks the manager Deployment: leader election, probes on the probe
// port, requests and limits, and a pod that the "restricted" Pod Security Standard admits.
func checkHardenedManager(t *testing.T, ms manifests, namespace string) *corev1.Container {
	t.Helper()
	dep := ms.onlyDeployment(t)
	if dep.Namespace != namespace {
		t.Errorf("manager Deployment in namespace %q, want %q", dep.Namespace, namespace)
	}
	c := managerContainer(t, dep)

	if !slices.Contains(c.Args, "--leader-elect") && !slices.Contains(c.Args, "--leader-elect=true") {
		t.Errorf("manager args %q: no --leader-elect, so two replicas (or a rolling update) would reconcile at once", c.Args)
	}

	probePort := flagValue(c.Args, "--health-probe-bind-address")
	for name, probe := range map[string]*corev1.Probe{"/healthz": c.LivenessProbe, "/readyz": c.ReadinessProbe} {
		if probe == nil || probe.HTTPGet == nil || probe.HTTPGet.Path != name {
			t.Errorf("manager has no HTTP probe on %s: liveness %+v, readiness %+v", name, c.LivenessProbe, c.ReadinessProbe)
			continue
		}
		if port := containerPort(c, probe.HTTPGet.Port); port == "" || !strings.HasSuffix(probePort, ":"+port) {
			t.Errorf("probe on %s targets port %s (container port %q), but --health-probe-bind-address is %q", name, probe.HTTPGet.Port.String(), port, probePort)
		}
	}

	for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, lim := c.Resources.Requests[res], c.Resources.Limits[res]
		if req.IsZero() || lim.IsZero() {
			t.Errorf("manager %s: request %q, limit %q; want both set", res, req.String(), lim.String())
		} else if lim.Cmp(req) < 0 {
			t.Errorf("manager %s limit %s is below its request %s", res, lim.String(), req.String())
		}
	}

	// The manager derives its soft memory limit from the container's (memlimit.go).
	if !hasMemoryLimitEnv(c) {
		t.Errorf("manager env %+v: no PRODLIFE_MEMORY_LIMIT from the container's limits.memory (resourceFieldRef), so the Go collector ignores the limit", c.Env)
	}

	pod, sc := dep.Spec.Template.Spec.SecurityContext, c.SecurityContext
	if pod == nil {
		pod = &corev1.PodSecurityContext{}
	}
	if sc == nil {
		sc = &corev1.SecurityContext{}
	}
	if !effective(sc.RunAsNonRoot, pod.RunAsNonRoot) {
		t.Errorf("manager may run as root: runAsNonRoot is not true")
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Errorf("manager's root filesystem is writable: readOnlyRootFilesystem is not true")
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Errorf("manager may escalate privileges: allowPrivilegeEscalation is not false")
	}
	if sc.Privileged != nil && *sc.Privileged {
		t.Errorf("manager is privileged")
	}
	if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") || len(sc.Capabilities.Add) > 0 {
		t.Errorf("manager capabilities %+v: want drop [ALL] and nothing added", sc.Capabilities)
	}
	seccomp := pod.SeccompProfile
	if sc.SeccompProfile != nil {
		seccomp = sc.SeccompProfile
	}
	if seccomp == nil || seccomp.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("manager seccomp profile %+v, want RuntimeDefault", seccomp)
	}
	spec := dep.Spec.Template.Spec
	if spec.HostNetwork || spec.HostPID || spec.HostIPC {
		t.Errorf("manager shares the node's namespaces (hostNetwork %v, hostPID %v, hostIPC %v)", spec.HostNetwork, spec.HostPID, spec.HostIPC)
	}

	if !hasObject(ms, "ServiceAccount", namespace, spec.ServiceAccountName) {
		t.Errorf("manager runs as ServiceAccount %q, which the install does not create in %s; rendered %v", spec.ServiceAccountName, namespace, ms.names())
	}
	return c
}

// checkAdmissionPolicies checks that the install puts every admission policy of config/policy
// in force: each policy as the folder has it, a Deny binding naming it, and for the policies
// that take parameters, the ConfigMap the binding names, trusting the manager's own
// ServiceAccount as the operator.
func checkAdmissionPolicies(t *testing.T, ms manifests, namespace string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(testenv.RepoRoot(), "config", "policy", "*_policy.yaml"))
	must(t, err)
	policies, bindings := ms.ofKind("ValidatingAdmissionPolicy"), ms.ofKind("ValidatingAdmissionPolicyBinding")
	if len(policies) != len(files) || len(bindings) != len(files) {
		t.Fatalf("want the %d policies of config/policy and their bindings, rendered %v and %v", len(files), policies.names(), bindings.names())
	}
	manager := "system:serviceaccount:" + namespace + ":" + ms.onlyDeployment(t).Spec.Template.Spec.ServiceAccountName
	for _, file := range files {
		data, err := os.ReadFile(file)
		must(t, err)
		want := decode[admissionv1.ValidatingAdmissionPolicy](t, manifest{Kind: "ValidatingAdmissionPolicy", YAML: data})
		var policy *admissionv1.ValidatingAdmissionPolicy
		for _, m := range policies {
			if p := decode[admissionv1.ValidatingAdmissionPolicy](t, m); strings.HasSuffix(p.Name, want.Name) {
				policy = p
			}
		}
		if policy == nil {
			t.Errorf("no policy rendered from %s (%s); rendered %v", filepath.Base(file), want.Name, policies.names())
			continue
		}
		if !reflect.DeepEqual(policy.Spec, want.Spec) {
			t.Errorf("policy %s differs from config/policy/%s", policy.Name, filepath.Base(file))
		}
		var binding *admissionv1.ValidatingAdmissionPolicyBinding
		for _, m := range bindings {
			if b := decode[admissionv1.ValidatingAdmissionPolicyBinding](t, m); b.Spec.PolicyName == policy.Name {
				binding = b
			}
		}
		if binding == nil || !slices.Equal(binding.Spec.ValidationActions, []admissionv1.ValidationAction{admissionv1.Deny}) {
			t.Errorf("policy %s: binding %+v, want one with Deny", policy.Name, binding)
			continue
		}
		if policy.Spec.ParamKind == nil {
			if binding.Spec.ParamRef != nil {
				t.Errorf("binding %s names parameters %+v for policy %s, which takes none", binding.Name, binding.Spec.ParamRef, policy.Name)
			}
			continue
		}
		ref := binding.Spec.ParamRef
		if ref == nil || !hasObject(ms, "ConfigMap", ref.Namespace, ref.Name) {
			t.Errorf("binding %s takes its parameters from %+v, which the install does not create; rendered %v", binding.Name, ref, ms.names())
			continue
		}
		for _, m := range ms.ofKind("ConfigMap") {
			cm := decode[corev1.ConfigMap](t, m)
			if cm.Namespace == ref.Namespace && cm.Name == ref.Name && cm.Data["managerUsernames"] != manager {
				t.Errorf("ConfigMap %s/%s trusts %q as the operator, want its ServiceAccount %q", cm.Namespace, cm.Name, cm.Data["managerUsernames"], manager)
			}
		}
	}
	// The identity annotations policy trusts whom a ClusterRoleBinding grants `write` on
	// prodlife.dev identities: the manager's ServiceAccount, and no one else the install names.
	var writers []string
	for _, s := range grantees(t, ms, "write") {
		writers = append(writers, "system:serviceaccount:"+s.Namespace+":"+s.Name)
	}
	if !slices.Equal(writers, []string{manager}) {
		t.Errorf("the install grants write on prodlife.dev identities (the operator's annotations) to %v, want its ServiceAccount %s alone", writers, manager)
	}
}

// isRestorerRole tells the identity-restorer ClusterRole: the grant of `restore` on
// prodlife.dev identities, which the install binds to no one unless told whom.
func isRestorerRole(t *testing.T, m manifest) bool {
	t.Helper()
	return reflect.DeepEqual(decode[rbacv1.ClusterRole](t, m).Rules, []rbacv1.PolicyRule{
		{APIGroups: []string{"prodlife.dev"}, Resources: []string{"identities"}, Verbs: []string{"restore"}}})
}

// checkClusterWideRBAC checks an install that watches every namespace: the manager's rules
// in one ClusterRole bound to its ServiceAccount, plus leader election.
func checkClusterWideRBAC(t *testing.T, ms manifests, namespace string) {
	t.Helper()
	sa := ms.onlyDeployment(t).Spec.Template.Spec.ServiceAccountName
	var roles manifests
	for _, m := range ms.ofKind("ClusterRole") {
		if !isMetricsRole(t, m) && !isRestorerRole(t, m) { // checked by checkSecureMetrics, checkAdmissionPolicies
			roles = append(roles, m)
		}
	}
	if len(roles) != 1 {
		t.Fatalf("want one ClusterRole (the manager's) beside the metrics endpoint's, rendered %v", roles.names())
	}
	role := decode[rbacv1.ClusterRole](t, roles[0])
	checkManagerRules(t, role.Name, role.Rules)
	if !bound(t, ms.ofKind("ClusterRoleBinding"), "ClusterRole", role.Name, sa, namespace) {
		t.Errorf("no ClusterRoleBinding binds ClusterRole %s to ServiceAccount %s/%s", role.Name, namespace, sa)
	}
	checkLeaderElectionRBAC(t, ms, namespace, sa)
	checkLeastPrivilege(t, ms)
}

// checkNamespacedRBAC checks an install that watches only some namespaces: the manager's
// rules in a Role and RoleBinding in each of them, and nothing cluster-wide but the manager's
// rules on cluster-scoped kinds, which no Role can grant (reading namespaces, and getting its
// own CRDs by name).
func checkNamespacedRBAC(t *testing.T, ms manifests, namespace string, watched []string) {
	t.Helper()
	sa := ms.onlyDeployment(t).Spec.Template.Spec.ServiceAccountName
	namespaced, clusterWide := splitByScope(generatedManagerRules(t))
	for _, m := range ms.ofKind("ClusterRole") {
		if isMetricsRole(t, m) || isRestorerRole(t, m) {
			continue // checked by checkSecureMetrics, checkAdmissionPolicies
		}
		if role := decode[rbacv1.ClusterRole](t, m); !reflect.DeepEqual(role.Rules, clusterWide) {
			t.Errorf("watching only %v needs no cluster-wide permission but the manager's rules on cluster-scoped kinds\n%+v\nbut ClusterRole %s grants\n%+v", watched, clusterWide, role.Name, role.Rules)
		} else if !bound(t, ms.ofKind("ClusterRoleBinding"), "ClusterRole", role.Name, sa, namespace) {
			t.Errorf("ClusterRole %s is bound to no ServiceAccount %s/%s", role.Name, namespace, sa)
		}
	}
	for _, ns := range watched {
		var found bool
		for _, m := range ms.ofKind("Role") {
			role := decode[rbacv1.Role](t, m)
			if role.Namespace != ns || !bound(t, ms.ofKind("RoleBinding"), "Role", role.Name, sa, namespace) {
				continue
			}
			found = true
			if !reflect.DeepEqual(role.Rules, namespaced) {
				t.Errorf("%s/%s grants\n%+v\nbut the manager's RBAC markers (config/rbac/role.yaml) say, but for cluster-scoped kinds,\n%+v", ns, role.Name, role.Rules, namespaced)
			}
		}
		if !found {
			t.Errorf("no Role in watched namespace %s bound to ServiceAccount %s/%s; rendered %v", ns, namespace, sa, ms.names())
		}
	}
	checkLeaderElectionRBAC(t, ms, namespace, sa)
	checkLeastPrivilege(t, ms)
}

// clusterScoped are the cluster-scoped resources among the manager's rules.
// identities is no API resource: the name of the grant the identity annotations policy asks
// RBAC for cluster-wide, so no Role can give it.
var clusterScoped = []string{"namespaces", "customresourcedefinitions", "identities"}

// splitByScope sorts rules into those a Role can grant and those on cluster-scoped resources
// (resourceNames kept), splitting a rule that names both.
func splitByScope(rules []rbacv1.PolicyRule) (namespaced, clusterWide []rbacv1.PolicyRule) {
	for _, r := range rules {
		isClusterScoped := func(res string) bool { return slices.Contains(clusterScoped, res) }
		if n := slices.DeleteFunc(slices.Clone(r.Resources), isClusterScoped); len(n) > 0 {
			one := r
			one.Resources = n
			namespaced = append(namespaced, one)
		}
		if c := slices.DeleteFunc(slices.Clone(r.Resources), func(res string) bool { return !isClusterScoped(res) }); len(c) > 0 {
			one := r
			one.Resources = c
			clusterWide = append(clusterWide, one)
		}
	}
	return namespaced, clusterWide
}

// checkManagerRules compares a role's rules with the ones generated from the RBAC markers.
func checkManagerRules(t *testing.T, role string, rules []rbacv1.PolicyRule) {
	t.Helper()
	if want := generatedManagerRules(t); !reflect.DeepEqual(rules, want) {
		t.Errorf("%s grants\n%+v\nbut the manager's RBAC markers (config/rbac/role.yaml) say\n%+v", role, rules, want)
	}
}

// checkLeaderElectionRBAC checks that the manager may take its Lease, in its own namespace only.
func checkLeaderElectionRBAC(t *testing.T, ms manifests, namespace, sa string) {
	t.Helper()
	for _, m := range ms.ofKind("Role") {
		role := decode[rbacv1.Role](t, m)
		if role.Namespace != namespace || !bound(t, ms.ofKind("RoleBinding"), "Role", role.Name, sa, namespace) {
			continue
		}
		for _, r := range role.Rules {
			if slices.Contains(r.APIGroups, "coordination.k8s.io") && slices.Contains(r.Resources, "leases") &&
				slices.Contains(r.Verbs, "create") && slices.Contains(r.Verbs, "update") && slices.Contains(r.Verbs, "get") {
				return
			}
		}
	}
	t.Errorf("no Role in %s lets ServiceAccount %s take the leader election Lease", namespace, sa)
}

// checkLeastPrivilege refuses wildcards, any permission beyond the manager's generated rules,
// leader election's Leases and Events and the metrics endpoint's reviews, any non-resource URL
// but get on /metrics, and reading CRDs other than the operator's own.
func checkLeastPrivilege(t *testing.T, ms manifests) {
	t.Helper()
	allowed := append(generatedManagerRules(t),
		rbacv1.PolicyRule{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, Verbs: []string{"get", "list", "watch", "create", "update", "patch", "delete"}},
		rbacv1.PolicyRule{APIGroups: []string{"", "events.k8s.io"}, Resources: []string{"events"}, Verbs: []string{"create", "patch"}},
	)
	allowed = append(allowed, metricsAuthRules...)
	var rules []rbacv1.PolicyRule
	for _, m := range ms.ofKind("ClusterRole") {
		if !isRestorerRole(t, m) { // not the manager's; bound to no one unless told (checkAdmissionPolicies)
			rules = append(rules, decode[rbacv1.ClusterRole](t, m).Rules...)
		}
	}
	for _, m := range ms.ofKind("Role") {
		rules = append(rules, decode[rbacv1.Role](t, m).Rules...)
	}
	for _, r := range rules {
		for _, list := range [][]string{r.APIGroups, r.Resources, r.Verbs, r.NonResourceURLs} {
			if slices.Contains(list, "*") {
				t.Errorf("rule %+v uses a wildcard", r)
			}
		}
		checkNonResourceRules(t, r)
		if slices.Contains(r.Resources, "customresourcedefinitions") && len(r.ResourceNames) == 0 {
			t.Errorf("rule %+v lets the manager read every CRD of the cluster; it needs only its own, by resourceNames", r)
		}
		for _, group := range r.APIGroups {
			for _, resource := range r.Resources {
				for _, verb := range r.Verbs {
					if !grants(allowed, group, resource, verb, r.ResourceNames) {
						t.Errorf("the install grants %s on %s %v in group %q, which the manager does not need", verb, resource, r.ResourceNames, group)
					}
				}
			}
		}
	}
}

// grants says whether rules allow verb on resource, limited to names (none: every name).
func grants(rules []rbacv1.PolicyRule, group, resource, verb string, names []string) bool {
	for _, r := range rules {
		if !slices.Contains(r.APIGroups, group) || !slices.Contains(r.Resources, resource) || !slices.Contains(r.Verbs, verb) {
			continue
		}
		if len(r.ResourceNames) == 0 {
			return true
		}
		if len(names) > 0 && !slices.ContainsFunc(names, func(n string) bool { return !slices.Contains(r.ResourceNames, n) }) {
			return true
		}
	}
	return false
}

// bound says whether a binding among ms grants roleKind/roleName to the ServiceAccount.
func bound(t *testing.T, bindings manifests, roleKind, roleName, sa, saNamespace string) bool {
	t.Helper()
	for _, m := range bindings {
		var ref rbacv1.RoleRef
		var subjects []rbacv1.Subject
		if m.Kind == "ClusterRoleBinding" {
			b := decode[rbacv1.ClusterRoleBinding](t, m)
			ref, subjects = b.RoleRef, b.Subjects
		} else {
			b := decode[rbacv1.RoleBinding](t, m)
			ref, subjects = b.RoleRef, b.Subjects
		}
		if ref.Kind != roleKind || ref.Name != roleName {
			continue
		}
		for _, s := range subjects {
			if s.Kind == "ServiceAccount" && s.Name == sa && s.Namespace == saNamespace {
				return true
			}
		}
	}
	return false
}

func managerContainer(t *testing.T, dep *appsv1.Deployment) *corev1.Container {
	t.Helper()
	for i, c := range dep.Spec.Template.Spec.Containers {
		if c.Name == "manager" {
			return &dep.Spec.Template.Spec.Containers[i]
		}
	}
	t.Fatalf("Deployment %s has no container named manager", dep.Name)
	return nil
}

// flagValue returns the value of --name=value among args, or "".
func flagValue(args []string, name string) string {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return ""
}

// containerPort resolves a probe's port, by name or number, to the container port it means.
func containerPort(c *corev1.Container, port intstr.IntOrString) string {
	for _, p := range c.Ports {
		if (port.Type == intstr.String && p.Name == port.StrVal) || (port.Type == intstr.Int && p.ContainerPort == port.IntVal) {
			return strconv.Itoa(int(p.ContainerPort))
		}
	}
	return ""
}

// effective is a container's setting, or else the pod's.
func effective(container, pod *bool) bool {
	if container != nil {
		return *container
	}
	return pod != nil && *pod
}

func hasObject(ms manifests, kind, namespace, name string) bool {
	for _, m := range ms {
		if m.Kind == kind && m.Namespace == namespace && m.Name == name {
			return true
		}
	}
	return false
}

func hasMemoryLimitEnv(c *corev1.Container) bool {
	for _, e := range c.Env {
		if e.Name == "PRODLIFE_MEMORY_LIMIT" && e.ValueFrom != nil && e.ValueFrom.ResourceFieldRef != nil {
			ref := e.ValueFrom.ResourceFieldRef
			return ref.Resource == "limits.memory" && (ref.ContainerName == "" || ref.ContainerName == c.Name) && (ref.Divisor.IsZero() || ref.Divisor.Value() == 1)
		}
	}
	return false
}
