package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
	"github.com/prodlife/product-lifecycle-operator/internal/metrics/metricstest"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

const (
	simKeyID  = "LTAI5tMainTestKey01"
	simSecret = "main-test-secret-do-not-leak"
	// operatorUser is who the manager runs as: a user with no cluster-wide rights at all.
	operatorUser = testenv.ManagerUser
)

// With --namespaces, the manager reconciles only there, and it needs nothing more than the
// generated manager rules granted as a Role in that namespace (plus read-only access to
// cluster-scoped resources): an IoTProduct there becomes Ready and, deleted, deletes its
// product; one elsewhere gets no finalizer, no status and no API call, and the objects metric
// counts only the watched namespace.
func TestNamespacesFlagConfinesTheOperatorToThoseNamespaces(t *testing.T) {
	env, err := testenv.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	ctx := context.Background()
	admin := env.Client

	for _, ns := range []string{"watched", "unwatched"} {
		must(t, admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}))
		must(t, admin.Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "alibaba-credentials"},
			StringData: map[string]string{"accessKeyId": simKeyID, "accessKeySecret": simSecret},
		}))
	}
	operatorConfig := namespacedOperator(t, env, "watched")

	// The object the operator must leave alone exists first, so it would be reconciled first.
	other := product("unwatched", "other_product")
	must(t, admin.Create(ctx, other))
	mine := product("watched", "watched_product")
	must(t, admin.Create(ctx, mine))

	sim := alibabaiot.New(alibabaiot.Options{AccessKeyID: simKeyID, AccessKeySecret: simSecret})
	api := httptest.NewServer(sim)
	t.Cleanup(api.Close)

	metricsAddr := freeAddress(t)
	fs := flag.NewFlagSet("manager", flag.ContinueOnError)
	flags := bindFlags(fs)
	must(t, fs.Parse([]string{
		"--namespaces=watched",
		"--alibaba-endpoint=" + api.URL,
		"--metrics-bind-address=" + metricsAddr,
		"--metrics-secure=false", // read below over plain HTTP without a token
		"--health-probe-bind-address=0",
	}))
	flags.log.DestWriter = testLogs()
	ctrl.SetLogger(newLogger(flags))
	mgr, err := newManager(operatorConfig, flags)
	must(t, err)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- mgr.Start(runCtx) }()
	t.Cleanup(func() {
		stop()
		// A manager must stop when its context is cancelled, as on SIGTERM in a pod. One
		// that does not (say, its caches never synced for want of RBAC) fails the test, which
		// must not hang as well.
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("manager: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("the manager did not stop within 30s of its context being cancelled")
		}
	})

	eventually(t, "the IoTProduct in the watched namespace to be Ready", func() string {
		must(t, admin.Get(ctx, client.ObjectKeyFromObject(mine), mine))
		if c := meta.FindStatusCondition(mine.Status.Conditions, v1alpha1.ConditionReady); c == nil || c.Status != metav1.ConditionTrue {
			return fmt.Sprintf("Ready = %+v", c)
		}
		return ""
	})

	must(t, admin.Get(ctx, client.ObjectKeyFromObject(other), other))
	if len(other.Finalizers) > 0 || len(other.Status.Conditions) > 0 || other.Annotations[v1alpha1.ExternalIDAnnotation] != "" {
		t.Errorf("the IoTProduct in the unwatched namespace was touched: finalizers %v, annotations %v, conditions %v",
			other.Finalizers, other.Annotations, other.Status.Conditions)
	}
	for _, call := range sim.Calls("") {
		if call.Parameters["ProductName"] == other.Spec.ProductName {
			t.Errorf("the platform was called for the unwatched product: %+v", call)
		}
	}

	// The manager's own metrics endpoint counts what its cache sees: the watched namespace.
	eventually(t, "prodlife_objects to count the watched namespace only", func() string {
		families := scrape(t, "http://"+metricsAddr+"/metrics")
		ready, readyOK := metricstest.Value(families, "prodlife_objects", map[string]string{"kind": "IoTProduct", "state": "ready"})
		reconciling, reconcilingOK := metricstest.Value(families, "prodlife_objects", map[string]string{"kind": "IoTProduct", "state": "reconciling"})
		created, createdOK := metricstest.Value(families, "prodlife_external_requests_total", map[string]string{"platform": "alibaba", "action": "CreateProduct", "code": "OK"})
		if !readyOK || !reconcilingOK || !createdOK {
			// A series that is not there is not a 0.
			return fmt.Sprintf("series present: ready %v, reconciling %v, CreateProduct OK %v", readyOK, reconcilingOK, createdOK)
		}
		if ready != 1 || reconciling != 0 || created != 1 {
			return fmt.Sprintf("IoTProducts ready %v, reconciling %v; CreateProduct OK %v: want 1, 0, 1", ready, reconciling, created)
		}
		return ""
	})

	// Deleting it needs the cluster-wide read of its CRD (is this an uninstall?), then the
	// DeleteProduct call: the generated rules allow the one and lead to the other.
	must(t, admin.Delete(ctx, mine))
	eventually(t, "the watched IoTProduct to be deleted with its product", func() string {
		switch err := admin.Get(ctx, client.ObjectKeyFromObject(mine), mine); {
		case err == nil:
			return fmt.Sprintf("still there: %+v", mine.Status.Conditions)
		case client.IgnoreNotFound(err) != nil:
			return err.Error()
		}
		if calls := sim.Calls(alibabaiot.ActionDeleteProduct); len(calls) != 1 || calls[0].Code != alibabaiot.CodeOK {
			return fmt.Sprintf("DeleteProduct calls %+v, want one that succeeded", calls)
		}
		return ""
	})
}

// namespacedOperator returns the configuration of a user whose only rights are the manager's
// generated rules (config/rbac/role.yaml): those on namespaced resources granted as a Role in
// ns, and those on cluster-scoped resources (reading namespaces, getting the operator's own
// CRDs, and the identity annotations policy's grant) cluster-wide, where the test requires
// the API's to be read-only.
func namespacedOperator(t *testing.T, env *testenv.Env, ns string) *rest.Config {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "rbac", "role.yaml"))
	must(t, err)
	var clusterRole rbacv1.ClusterRole
	must(t, yaml.Unmarshal(raw, &clusterRole))
	if len(clusterRole.Rules) == 0 {
		t.Fatal("config/rbac/role.yaml has no rules")
	}
	namespaced, clusterWide := splitByScope(t, env.Client.RESTMapper(), clusterRole.Rules)
	for _, rule := range clusterWide {
		if slices.Contains(rule.Resources, "identities") {
			continue // the admission policy's grant (config/rbac/role.yaml), no API access
		}
		for _, verb := range rule.Verbs {
			if verb != "get" && verb != "list" && verb != "watch" {
				t.Errorf("the manager needs %q on the cluster-scoped %v: with --namespaces it must only read outside its namespaces", verb, rule.Resources)
			}
		}
	}

	ctx := context.Background()
	subjects := []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: operatorUser}}
	must(t, env.Client.Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "manager"}, Rules: namespaced}))
	must(t, env.Client.Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "manager"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "manager"},
		Subjects:   subjects,
	}))
	if len(clusterWide) > 0 {
		must(t, env.Client.Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "manager-cluster-reads"}, Rules: clusterWide}))
		must(t, env.Client.Create(ctx, &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "manager-cluster-reads"},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "manager-cluster-reads"},
			Subjects:   subjects,
		}))
	}
	user, err := env.Env.AddUser(envtest.User{Name: operatorUser}, env.Config)
	must(t, err)
	cfg := user.Config()
	cfg.QPS, cfg.Burst = env.Config.QPS, env.Config.Burst
	return cfg
}

// splitByScope sorts RBAC rules, one resource per rule, into those on namespaced resources and
// those on cluster-scoped ones, as the API server knows them; resourceNames stay.
func splitByScope(t *testing.T, mapper meta.RESTMapper, rules []rbacv1.PolicyRule) (namespaced, clusterWide []rbacv1.PolicyRule) {
	t.Helper()
	for _, rule := range rules {
		for _, group := range rule.APIGroups {
			for _, resource := range rule.Resources {
				one := rbacv1.PolicyRule{APIGroups: []string{group}, Resources: []string{resource}, ResourceNames: rule.ResourceNames, Verbs: rule.Verbs}
				if group == v1alpha1.GroupVersion.Group && resource == "identities" {
					// No API resource: the grant the identity annotations policy asks RBAC for,
					// cluster-wide.
					clusterWide = append(clusterWide, one)
					continue
				}
				base, _, _ := strings.Cut(resource, "/") // iotproducts/status is iotproducts'
				gvk, err := mapper.KindFor(schema.GroupVersionResource{Group: group, Resource: base})
				must(t, err)
				mapping, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
				must(t, err)
				if mapping.Scope.Name() == meta.RESTScopeNameRoot {
					clusterWide = append(clusterWide, one)
				} else {
					namespaced = append(namespaced, one)
				}
			}
		}
	}
	return namespaced, clusterWide
}

func product(ns, productName string) *v1alpha1.IoTProduct {
	return &v1alpha1.IoTProduct{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "sensor"},
		Spec: v1alpha1.IoTProductSpec{
			ProductName:          productName,
			Region:               "cn-shanghai",
			CredentialsSecretRef: &v1alpha1.SecretReference{Name: "alibaba-credentials"},
		},
	}
}

// The manager logs JSON lines by default, for log collectors; --zap-devel gives the console
// format people read.
func TestLogsAreJSONUnlessDevelopmentModeIsAsked(t *testing.T) {
	for _, tt := range []struct {
		args     []string
		wantJSON bool
	}{
		{nil, true},
		{[]string{"--zap-devel"}, false},
	} {
		fs := flag.NewFlagSet("manager", flag.ContinueOnError)
		flags := bindFlags(fs)
		must(t, fs.Parse(tt.args))
		var buf bytes.Buffer
		flags.log.DestWriter = &buf
		newLogger(flags).Info("starting the manager", "namespaces", "watched")

		var line map[string]any
		isJSON := json.Unmarshal(buf.Bytes(), &line) == nil
		if isJSON != tt.wantJSON {
			t.Errorf("flags %v: JSON %v, want %v: %s", tt.args, isJSON, tt.wantJSON, buf.String())
		}
		if isJSON && (line["msg"] != "starting the manager" || line["namespaces"] != "watched" || line["level"] != "info") {
			t.Errorf("flags %v: line %s lacks its message, level or fields", tt.args, buf.String())
		}
	}
}

func TestNamespacesFlagRefusesWhatCannotBeANamespace(t *testing.T) {
	for value, want := range map[string]string{
		"":                  "",
		"team-a":            "team-a",
		" team-a, team-b ,": "team-a,team-b",
		"team-a,team-a":     "team-a",
	} {
		var n namespacesFlag
		if err := n.Set(value); err != nil || n.String() != want {
			t.Errorf("--namespaces=%q: got %q, %v; want %q", value, n.String(), err, want)
		}
	}
	for _, bad := range []string{"Team-A", "team_a", "team-a,-b"} {
		var n namespacesFlag
		if err := n.Set(bad); err == nil {
			t.Errorf("--namespaces=%q was accepted", bad)
		}
	}
	if (namespacesFlag{}).cacheConfig() != nil {
		t.Error("no namespaces must leave the cache cluster-wide")
	}
}

func TestDefaultCredentialsNamespacesAreNoneUnlessAnAdministratorSaysSo(t *testing.T) {
	for args, want := range map[string][]string{
		"": nil,
		"--default-credentials-namespaces=a, b,a": {"a", "b"},
		"--default-credentials-namespaces=*":      {engine.AllNamespaces},
	} {
		fs := flag.NewFlagSet("manager", flag.ContinueOnError)
		f := bindFlags(fs)
		var argv []string
		if args != "" {
			argv = []string{args}
		}
		if err := fs.Parse(argv); err != nil || !slices.Equal(f.controllers.DefaultCredentialsNamespaces, want) {
			t.Errorf("%q: got %q, %v; want %q", args, f.controllers.DefaultCredentialsNamespaces, err, want)
		}
	}
	for _, bad := range []string{"*,a", "Team-A"} {
		fs := flag.NewFlagSet("manager", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		bindFlags(fs)
		if err := fs.Parse([]string{"--default-credentials-namespaces=" + bad}); err == nil {
			t.Errorf("--default-credentials-namespaces=%q was accepted", bad)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func eventually(t *testing.T, what string, check func() string) {
	t.Helper()
	testenv.Eventually(t, 60*time.Second, what, check)
}

// freeAddress is a loopback address nothing listens on, for the metrics server.
func freeAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr := l.Addr().String()
	must(t, l.Close())
	return addr
}

// testLogs keeps the manager quiet unless a developer asks for its logs with TEST_LOGS=1.
func testLogs() io.Writer {
	if os.Getenv("TEST_LOGS") != "" {
		return os.Stderr
	}
	return io.Discard
}

func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return nil // the server may not be up yet
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	must(t, err)
	return families
}
