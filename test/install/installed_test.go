// Package install_test runs the operator as a user installs it: what `kubectl kustomize
// config/default` or the Helm chart renders (its ServiceAccount, RBAC, admission policies and
// the identities they trust) on a real API server, and the manager binary of the image (`make
// image`) running with the Deployment's own arguments as that ServiceAccount, with a token from
// the TokenRequest API. A permission missing from config/rbac or the chart fails here.
package install_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/internal/manifests"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// operatorNamespace is where both installs put the operator.
const operatorNamespace = testenv.OperatorNamespace

// tenant is the namespace of the samples.
const tenant = "team-a"

// installation is one way users install the operator.
type installation struct {
	name string
	// render returns the objects to apply.
	render func(t *testing.T) []*unstructured.Unstructured
	// namespace is where it puts the operator (operatorNamespace when empty), and
	// serviceAccount and deployment the names it gives them there.
	namespace                  string
	serviceAccount, deployment string
	// watched are the namespaces the manager is confined to (--namespaces); nil: all.
	watched []string
}

var installations = []installation{
	{name: "kustomize config/default", render: func(t *testing.T) []*unstructured.Unstructured { return rendered(t, "config/default") },
		serviceAccount: testenv.OperatorServiceAccount, deployment: "prodlife-controller-manager"},
	{name: "helm chart", render: func(t *testing.T) []*unstructured.Unstructured { return helmTemplate(t) },
		serviceAccount: "prodlife-product-lifecycle-operator", deployment: "prodlife-product-lifecycle-operator"},
	{name: "helm chart watching one namespace", render: func(t *testing.T) []*unstructured.Unstructured {
		return helmTemplate(t, "--set", "watchNamespaces={"+tenant+"}")
	}, serviceAccount: "prodlife-product-lifecycle-operator", deployment: "prodlife-product-lifecycle-operator", watched: []string{tenant}},
	// The admission policies take nothing from the install's namespace or names that an
	// overlay could change under them.
	{name: "kustomize overlay with another namespace and namePrefix", render: overlay,
		namespace: "acme-ops", serviceAccount: "acme-prodlife-controller-manager", deployment: "acme-prodlife-controller-manager"},
}

// overlay renders config/default through an overlay of the kind the docs say works: another
// namespace and a namePrefix.
func overlay(t *testing.T) []*unstructured.Unstructured {
	t.Helper()
	dir := t.TempDir()
	base, err := filepath.Rel(dir, filepath.Join(testenv.RepoRoot(), "config", "default")) // kustomize takes no absolute path
	must(t, err)
	kustomization := "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: acme-ops\nnamePrefix: acme-\n" +
		"resources:\n- " + base + "\n"
	must(t, os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(kustomization), 0o644))
	out, err := exec.Command("kubectl", "kustomize", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl kustomize of the overlay: %v\n%s", err, out)
	}
	objs, err := manifests.Decode(out, "the overlay")
	must(t, err)
	return objs
}

// ns is where inst puts the operator.
func (inst installation) ns() string {
	if inst.namespace == "" {
		return operatorNamespace
	}
	return inst.namespace
}

var creds = testenv.Credentials{
	AlibabaAccessKeyID: "LTAI5tInstalledKey0001", AlibabaAccessKeySecret: "installed-alibaba-secret",
	FlipsnackAPIKey: "installed-flipsnack-key", FlipsnackAPISecret: "installed-flipsnack-secret",
}

func TestTheInstalledOperatorManagesTheSamplesAsItsServiceAccount(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an API server and the manager binary")
	}
	binary := managerBinary(t)
	for _, inst := range installations {
		t.Run(inst.name, func(t *testing.T) { runInstalled(t, inst, binary) })
	}
}

// startInstalled brings up an API server with inst applied and its manager running (see
// installAndRun). It returns the admin's client and the manager's output.
func startInstalled(t *testing.T, inst installation, binary string, endpointArgs ...string) (client.Client, *logBuffer) {
	t.Helper()
	env, err := testenv.StartAPIServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	return env.Client, installAndRun(t, env, inst, binary, endpointArgs...)
}

// installAndRun applies inst, checks that the manager's token is its ServiceAccount's and no
// cluster admin's, and runs the binary as that ServiceAccount with the Deployment's arguments
// and endpointArgs. It returns the manager's output.
func installAndRun(t *testing.T, env *testenv.Env, inst installation, binary string, endpointArgs ...string) *logBuffer {
	t.Helper()
	ctx := context.Background()
	admin := env.Client
	for _, ns := range append([]string{inst.ns(), tenant}, inst.watched...) {
		if err := admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
	}
	args, err := testenv.Install(ctx, admin, inst.render(t), inst.deployment, "install-test")
	must(t, err)
	asOperator, err := testenv.ServiceAccountConfig(ctx, admin, env.Config, inst.ns(), inst.serviceAccount, time.Hour)
	must(t, err)

	// The manager's identity is its ServiceAccount, and that is no cluster admin.
	operator, err := client.New(asOperator, client.Options{Scheme: env.Scheme})
	must(t, err)
	review := &authenticationv1.SelfSubjectReview{}
	must(t, operator.Create(ctx, review))
	if want := testenv.OperatorUsername(inst.ns(), inst.serviceAccount); review.Status.UserInfo.Username != want {
		t.Fatalf("the manager's token is %q, want %q", review.Status.UserInfo.Username, want)
	}
	for _, attrs := range []authorizationv1.ResourceAttributes{
		{Verb: "*", Group: "*", Resource: "*"},
		{Verb: "delete", Resource: "secrets", Namespace: tenant},
		{Verb: "create", Resource: "configmaps", Namespace: tenant},
	} {
		access := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &attrs}}
		must(t, operator.Create(ctx, access))
		if access.Status.Allowed {
			t.Errorf("the ServiceAccount may %s %s: more than config/rbac should grant", attrs.Verb, attrs.Resource)
		}
	}
	if inst.watched != nil {
		outside := authorizationv1.ResourceAttributes{Verb: "list", Group: v1alpha1.GroupVersion.Group, Resource: "iotproducts", Namespace: "elsewhere"}
		access := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &outside}}
		must(t, operator.Create(ctx, access))
		if access.Status.Allowed {
			t.Errorf("confined to %v, the ServiceAccount may still list IoTProducts in another namespace", inst.watched)
		}
	}

	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	must(t, testenv.WriteKubeconfig(asOperator, "operator", "operator", kubeconfig))
	return runManager(t, binary, append(append(args,
		"--kubeconfig="+kubeconfig,
		// Out of a cluster the manager cannot tell its own namespace.
		"--leader-election-namespace="+inst.ns(),
		"--metrics-bind-address=127.0.0.1:0", "--health-probe-bind-address=127.0.0.1:0",
		"--retry-base-delay=100ms", "--retry-max-delay=2s",
	), endpointArgs...))
}

// runInstalled brings both samples to Ready and deletes them, with the simulators as the
// platforms.
func runInstalled(t *testing.T, inst installation, binary string) {
	ctx := context.Background()
	sims, err := testenv.StartSimulators(testenv.SimulatorsAccepting(creds))
	must(t, err)
	t.Cleanup(sims.Close)
	admin, log := startInstalled(t, inst, binary, sims.ManagerArgs()...)

	// The tenant's samples and the Secrets they name.
	must(t, testenv.ApplyCredentials(ctx, admin, tenant, creds, "install-test"))
	samples := rendered(t, "config/samples")
	for _, obj := range samples {
		obj.SetNamespace(tenant)
		must(t, admin.Create(ctx, obj))
	}
	for _, obj := range samples {
		waitReady(t, admin, obj)
	}
	if n := len(sims.Alibaba.Products()); n != 1 {
		t.Errorf("the IoT platform holds %d products, want the sample's", n)
	}

	for _, obj := range samples {
		must(t, admin.Delete(ctx, obj))
	}
	for _, obj := range samples {
		waitGone(t, admin, obj)
	}
	if n := len(sims.Alibaba.Products()); n != 0 {
		t.Errorf("the IoT platform still holds %d products after the deletion", n)
	}
	for _, feed := range sims.Flipsnack.Feeds() {
		if len(feed.Products) != 0 {
			t.Errorf("feed %s still holds %d products after the deletion", feed.SourceHash, len(feed.Products))
		}
	}
	if logged := log.String(); strings.Contains(logged, "forbidden") {
		t.Errorf("the manager was refused something its RBAC should grant:\n%s", tail(logged))
	}
}

func rendered(t *testing.T, dir string) []*unstructured.Unstructured {
	t.Helper()
	objs, err := testenv.Kustomize(dir)
	must(t, err)
	return objs
}

// helmTemplate renders the chart as `helm install prodlife ... -n prodlife-system` would, with
// the pinned helm (HELM, as `make test` sets it, or the newest bin/helm-*).
func helmTemplate(t *testing.T, args ...string) []*unstructured.Unstructured {
	t.Helper()
	return helmRelease(t, "prodlife", operatorNamespace, args...)
}

// helmRelease renders the chart as `helm install release ... -n namespace` would.
func helmRelease(t *testing.T, release, namespace string, args ...string) []*unstructured.Unstructured {
	t.Helper()
	helm := os.Getenv("HELM")
	if helm == "" {
		found, _ := filepath.Glob(filepath.Join(testenv.RepoRoot(), "bin", "helm-v*"))
		if len(found) == 0 {
			t.Fatal("no helm: run `make test` (it builds the pinned helm into bin/ and sets HELM)")
		}
		helm = found[len(found)-1]
	}
	dir := t.TempDir()
	cmd := exec.Command(helm, append([]string{"template", release, filepath.Join(testenv.RepoRoot(), "charts", "product-lifecycle-operator"),
		"--namespace", namespace, "--include-crds"}, args...)...)
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+dir, "HELM_CONFIG_HOME="+dir, "HELM_DATA_HOME="+dir)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helm template: %v", err)
	}
	objs, err := manifests.Decode(out, "the chart")
	must(t, err)
	return objs
}

// managerBinary is the image's manager for this machine (IMAGE_ARCHIVE, which `make test`
// sets after `make image`), or a manager built as `make build` builds it.
func managerBinary(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "manager")
	if archive := os.Getenv("IMAGE_ARCHIVE"); archive != "" {
		binary, err := fileOfImage(archive, "linux/"+runtime.GOARCH, "manager")
		if err != nil {
			t.Fatalf("reading the manager from %s: %v", archive, err)
		}
		must(t, os.WriteFile(path, binary, 0o755))
		return path
	}
	build := exec.Command("go", "build", "-trimpath", "-o", path, ".")
	build.Dir, build.Env = testenv.RepoRoot(), append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the manager: %v\n%s", err, out)
	}
	return path
}

// logBuffer is the manager's output, read while it is written.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// runManager starts the binary until the test ends; its output is what it returns.
func runManager(t *testing.T, binary string, args []string) *logBuffer {
	t.Helper()
	log := &logBuffer{}
	cmd := exec.Command(binary, args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Env = []string{"HOME=" + t.TempDir()}
	must(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("manager log:\n%s", tail(log.String()))
		}
	})
	return log
}

func waitReady(t *testing.T, c client.Client, obj *unstructured.Unstructured) {
	t.Helper()
	eventually(t, fmt.Sprintf("%s %s Ready", obj.GetKind(), obj.GetName()), func() string {
		got := &unstructured.Unstructured{}
		got.SetGroupVersionKind(obj.GroupVersionKind())
		if err := c.Get(context.Background(), client.ObjectKeyFromObject(obj), got); err != nil {
			return err.Error()
		}
		conditions, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
		var conds []metav1.Condition
		for _, raw := range conditions {
			m := raw.(map[string]any)
			conds = append(conds, metav1.Condition{Type: fmt.Sprint(m["type"]), Status: metav1.ConditionStatus(fmt.Sprint(m["status"])), Message: fmt.Sprint(m["message"])})
		}
		ready := meta.FindStatusCondition(conds, v1alpha1.ConditionReady)
		if ready == nil || ready.Status != metav1.ConditionTrue {
			return fmt.Sprintf("conditions %v", conds)
		}
		if got.GetAnnotations()[v1alpha1.ExternalIDAnnotation] == "" {
			return "Ready without the identity annotation"
		}
		return ""
	})
}

// waitGone waits until obj no longer exists; obj takes its last state.
func waitGone(t *testing.T, c client.Client, obj client.Object) {
	t.Helper()
	eventually(t, obj.GetName()+" gone", func() string {
		err := c.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)
		if apierrors.IsNotFound(err) {
			return ""
		}
		return fmt.Sprintf("still there (finalizers %v, err %v)", obj.GetFinalizers(), err)
	})
}

// eventually waits up to a minute: the manager runs out of process, under a loaded CI.
func eventually(t *testing.T, what string, check func() string) {
	t.Helper()
	testenv.Eventually(t, time.Minute, what, check)
}

func tail(s string) string {
	if lines := strings.Split(s, "\n"); len(lines) > 60 {
		return strings.Join(lines[len(lines)-60:], "\n")
	}
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
