package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	prodlifev1alpha1 "github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/internal/devenv"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

// config is what the environment variables set; a size of 0 leaves its phase out.
type config struct {
	iotSizes          []int         // BENCH_IOT_SIZES: bulk create and delete, e.g. "1000,5000"
	feeds             int           // BENCH_FEEDS: feeds deleted at once
	feedSKUs          int           // BENCH_FEED_SKUS: SKUs of each, in a ConfigMap
	churnMaps         int           // BENCH_CHURN_CONFIGMAPS: ConfigMaps of about 450 KB whose metadata is changed
	churnFeeds        int           // BENCH_CHURN_FEEDS: feeds reading every one of them (0: no such stage)
	tenantMeta        bool          // BENCH_TENANT_METADATA: the stage of a tenant's annotations (tenantmeta_test.go)
	annotatedProducts int           // BENCH_ANNOTATED_PRODUCTS: annotated IoTProducts held at its end
	accounts          int           // BENCH_FLIPSNACK_ACCOUNTS: Flipsnack accounts the feeds are spread over
	holdSizes         []int         // BENCH_HOLD_SIZES: IoTProducts held for the memory and CPU samples, one stage each, growing
	holdFeeds         int           // BENCH_HOLD_FEEDS: feeds held with them from the first stage on (3 SKUs each)
	idleSync          time.Duration // BENCH_IDLE_SYNC_PERIOD: --sync-period of the idle window
	idleWindow        time.Duration // BENCH_IDLE_WINDOW: how long calls at rest are counted
	workers           int           // BENCH_APPLY_WORKERS: parallel server-side applies
	managerArgs       []string      // BENCH_MANAGER_ARGS: more manager flags, space-separated
	manager           string        // BENCH_MANAGER_BINARY: a manager built elsewhere (another commit) instead of this tree's
	profileAt         int           // BENCH_PROFILE_AT: the hold stage that reaches this size keeps a heap and a CPU profile
	settle            time.Duration // BENCH_SETTLE: how long after a hold stage its memory is read
	report            string        // BENCH_REPORT: where the Markdown report goes
	pollInterval      time.Duration
}

func loadConfig(t *testing.T) config {
	t.Helper()
	c := config{
		iotSizes:          intList(t, "BENCH_IOT_SIZES", "1000,5000"),
		feeds:             envInt(t, "BENCH_FEEDS", 50),
		feedSKUs:          envInt(t, "BENCH_FEED_SKUS", 2000),
		churnMaps:         envInt(t, "BENCH_CHURN_CONFIGMAPS", 20),
		churnFeeds:        envInt(t, "BENCH_CHURN_FEEDS", 30),
		tenantMeta:        envInt(t, "BENCH_TENANT_METADATA", 1) != 0,
		annotatedProducts: envInt(t, "BENCH_ANNOTATED_PRODUCTS", 1000),
		accounts:          envInt(t, "BENCH_FLIPSNACK_ACCOUNTS", 10),
		holdSizes:         intList(t, "BENCH_HOLD_SIZES", "1000,5000,10000,20000"),
		holdFeeds:         envInt(t, "BENCH_HOLD_FEEDS", 100),
		idleSync:          envDuration(t, "BENCH_IDLE_SYNC_PERIOD", 30*time.Second),
		idleWindow:        envDuration(t, "BENCH_IDLE_WINDOW", 90*time.Second),
		workers:           envInt(t, "BENCH_APPLY_WORKERS", 32),
		managerArgs:       strings.Fields(os.Getenv("BENCH_MANAGER_ARGS")),
		manager:           os.Getenv("BENCH_MANAGER_BINARY"),
		profileAt:         envInt(t, "BENCH_PROFILE_AT", 10000),
		settle:            envDuration(t, "BENCH_SETTLE", 15*time.Second),
		report:            os.Getenv("BENCH_REPORT"),
		pollInterval:      time.Second,
	}
	if c.report == "" {
		c.report = filepath.Join(testenv.RepoRoot(), "bin", "bench", "report.md")
	}
	c.accounts = max(c.accounts, 1)
	return c
}

func envInt(t *testing.T, name string, def int) int { return envValue(t, name, def, strconv.Atoi) }

func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	return envValue(t, name, def, time.ParseDuration)
}

// envValue is the variable name parsed by parse, or def when it is unset or empty.
func envValue[T any](t *testing.T, name string, def T, parse func(string) (T, error)) T {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	x, err := parse(v)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return x
}

func intList(t *testing.T, name, def string) []int {
	t.Helper()
	v, ok := os.LookupEnv(name)
	if !ok {
		v = def
	}
	var out []int
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
		n, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("%s=%q: %v", name, v, err)
		}
		if n > 0 {
			out = append(out, n)
		}
	}
	return out
}

// bench is one run: the environment of `make dev` with simulators of its own, a fast client,
// and the report being written.
type bench struct {
	cfg       config
	env       *devenv.Env
	cl        client.Client
	alibaba   *alibabaiot.Server
	flipsnack *flipsnack.Server
	flipKeys  []string // the Flipsnack accounts' apiKeys, index = account number
	kubectl   string
	report    *report
	pprofAddr string  // the manager's --pprof-bind-address
	results   results // what the goals are judged on
	// readyStatus is the status of one IoTProduct the manager brought to Ready, so the release
	// floor's objects are as large as the manager's (release_test.go).
	readyStatus map[string]any
}

// iotNamespace holds the IoTProducts of the bulk create and delete of n; watched by the
// manager (--namespaces), as is iotDoomedNamespace, but not the floors' namespaces.
func iotNamespace(n int) string { return fmt.Sprintf("bench-iot-%d", n) }

const (
	feedsNamespace = "bench-feeds"
	holdNamespace  = "bench-hold"
	fieldOwner     = "prodlife-bench"
)

// start brings the environment up. The simulators are the benchmark's own, served here and
// given to the manager with --alibaba-endpoint and --flipsnack-endpoint (the last flag wins
// over the environment's): the IoT one without the 1,000-products quota (the runs hold more),
// the Flipsnack one with cfg.accounts accounts. Their rate limits are the documented ones.
func start(t *testing.T, cfg config) *bench {
	t.Helper()
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		t.Fatal("KUBEBUILDER_ASSETS is not set: run `make bench`")
	}
	kubectlPath, err := exec.LookPath("kubectl")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	manager := cfg.manager
	if manager == "" {
		manager = filepath.Join(dir, "manager")
		build := exec.Command("go", append(managerBuildFlags, "-o", manager, ".")...)
		build.Dir = testenv.RepoRoot()
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("building the manager: %v\n%s", err, out)
		}
	}

	demo := devenv.DemoCredentials
	b := &bench{cfg: cfg, kubectl: kubectlPath, report: newReport(cfg)}
	if hasFlag(manager, "pprof-bind-address") {
		b.pprofAddr = freeLoopbackAddr(t)
	}
	accounts := map[string]string{}
	for i := range cfg.accounts {
		key := fmt.Sprintf("BENCH-API-KEY-%02d", i)
		b.flipKeys = append(b.flipKeys, key)
		accounts[key] = "bench-secret-" + key
	}
	simOpts := testenv.SimulatorsAccepting(demo)
	simOpts.Alibaba.MaxProductsPerInstance, simOpts.Alibaba.MaxCallLog = -1, 1<<20
	simOpts.Flipsnack.Accounts = accounts
	sims, err := testenv.StartSimulators(simOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sims.Close)
	b.alibaba, b.flipsnack = sims.Alibaba, sims.Flipsnack

	watched := []string{feedsNamespace, holdNamespace, churnNamespace, tenantMetaNamespace}
	for _, n := range cfg.iotSizes {
		watched = append(watched, iotNamespace(n), iotDoomedNamespace(n))
	}
	args := append(append(sims.ManagerArgs(), "--namespaces="+strings.Join(watched, ",")), cfg.managerArgs...)
	if b.pprofAddr != "" {
		args = append(args, "--pprof-bind-address="+b.pprofAddr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	root := testenv.RepoRoot()
	b.env, err = devenv.Start(ctx, devenv.Options{
		StateDir: filepath.Join(dir, "env"), AssetsDir: assets,
		CRDDir: filepath.Join(root, "config", "crd", "bases"), ManagerBinary: manager, ManagerArgs: args,
		APIServerAddr: devenv.AnyFreePort, AlibabaAddr: devenv.AnyFreePort, FlipsnackAddr: devenv.AnyFreePort,
		MetricsAddr: devenv.AnyFreePort, ProbeAddr: devenv.AnyFreePort, Credentials: demo,
		// As installed: the ServiceAccount, RBAC and admission policies of config/default.
		AsInstalled: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// The manager's log says what the run was doing (and why a failed one failed): keep a
		// copy next to the report.
		_ = copyFile(b.env.ManagerLog, strings.TrimSuffix(cfg.report, ".md")+"-manager.log")
		if err := b.env.Stop(); err != nil {
			t.Error(err)
		}
	})
	// The benchmark's own client: no client-side limit, so creating thousands of objects is
	// paced by the API server alone.
	rc := *b.env.Config
	rc.QPS, rc.Burst = -1, 0
	if b.cl, err = client.New(&rc, client.Options{Scheme: testenv.NewScheme()}); err != nil {
		t.Fatal(err)
	}
	b.report.managerArgs = args[3:]
	b.report.manager = cfg.manager
	return b
}

// managerBuildFlags build the manager as the Dockerfile does (with CGO_ENABLED=0), so its
// memory is the image's: `make bench-compare` builds its baseline the same way.
var managerBuildFlags = []string{"build", "-trimpath", "-ldflags=-s -w"}

func copyFile(from, to string) error {
	raw, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, raw, 0o644)
}

// namespace creates a namespace with the demo credentials Secrets.
func (b *bench) namespace(ctx context.Context, t *testing.T, name string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := b.cl.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	if err := b.env.CreateCredentials(ctx, name); err != nil {
		t.Fatal(err)
	}
}

// applyAll server-side applies objs from cfg.workers goroutines.
func (b *bench) applyAll(ctx context.Context, t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	b.eachParallel(t, objs, func(obj *unstructured.Unstructured) error {
		if err := b.cl.Apply(ctx, client.ApplyConfigurationFromUnstructured(obj), client.FieldOwner(fieldOwner), client.ForceOwnership); err != nil {
			return fmt.Errorf("applying %s %s/%s: %w", obj.GetKind(), obj.GetNamespace(), obj.GetName(), err)
		}
		return nil
	})
}

// eachParallel calls do for every object from cfg.workers goroutines and fails the test with
// the first error, once all are done.
func (b *bench) eachParallel(t *testing.T, objs []*unstructured.Unstructured, do func(*unstructured.Unstructured) error) {
	t.Helper()
	work := make(chan *unstructured.Unstructured)
	errs := make(chan error, b.cfg.workers)
	var wg sync.WaitGroup
	for range b.cfg.workers {
		wg.Go(func() {
			for obj := range work {
				if err := do(obj); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		})
	}
	for _, obj := range objs {
		work <- obj
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
}

func object(kind, namespace, name string, spec map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"spec": spec}}
	u.SetAPIVersion(prodlifev1alpha1.GroupVersion.String())
	u.SetKind(kind)
	u.SetNamespace(namespace)
	u.SetName(name)
	return u
}

// iotProducts are the IoTProducts numbered from to to-1; with credentials false they name no
// Secret.
func iotProducts(namespace string, from, to int, prefix string, credentials bool) []*unstructured.Unstructured {
	objs := make([]*unstructured.Unstructured, 0, to-from)
	for i := from; i < to; i++ {
		spec := map[string]any{
			"productName": fmt.Sprintf("%s_%06d", prefix, i),
			"description": "benchmark product",
			"region":      "cn-shanghai",
			"nodeType":    "Device",
			"dataFormat":  "AlinkJSON",
			"authType":    "secret",
			"netType":     "WIFI",
		}
		if credentials {
			spec["credentialsSecretRef"] = map[string]any{"name": devenv.AlibabaSecretName}
		}
		objs = append(objs, object("IoTProduct", namespace, fmt.Sprintf("p-%06d", i), spec))
	}
	return objs
}

var (
	iotGVK  = prodlifev1alpha1.GroupVersion.WithKind("IoTProductList")
	feedGVK = prodlifev1alpha1.GroupVersion.WithKind("FlipsnackFeedList")
)

// waitReady polls until want objects of the namespace are Ready (Ready=True), returning when,
// once every poll interval (shorter in the first seconds would only load the API server).
func (b *bench) waitReady(ctx context.Context, t *testing.T, namespace string, feeds bool, want int, timeout time.Duration) time.Time {
	t.Helper()
	return b.waitCount(ctx, t, namespace, "Ready", want, timeout, b.cfg.pollInterval, func() (int, error) {
		return b.countReady(ctx, namespace, feeds)
	})
}

// waitCount polls count every interval until it reaches want, returning when; past timeout
// it fails the test, saying how many of want objects of namespace were what.
func (b *bench) waitCount(ctx context.Context, t *testing.T, namespace, what string, want int, timeout, interval time.Duration, count func() (int, error)) time.Time {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		n, err := count()
		if err != nil {
			t.Fatal(err)
		}
		if n >= want {
			return time.Now()
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d of %d %s after %s", namespace, n, want, what, timeout)
		}
		b.pause(ctx, t, interval)
	}
}

func (b *bench) countReady(ctx context.Context, namespace string, feeds bool) (int, error) {
	var conditions [][]metav1.Condition
	if feeds {
		list := &prodlifev1alpha1.FlipsnackFeedList{}
		if err := b.cl.List(ctx, list, client.InNamespace(namespace)); err != nil {
			return 0, err
		}
		for _, it := range list.Items {
			conditions = append(conditions, it.Status.Conditions)
		}
	} else {
		list := &prodlifev1alpha1.IoTProductList{}
		if err := b.cl.List(ctx, list, client.InNamespace(namespace)); err != nil {
			return 0, err
		}
		for _, it := range list.Items {
			conditions = append(conditions, it.Status.Conditions)
		}
	}
	ready := 0
	for _, c := range conditions {
		if meta.IsStatusConditionTrue(c, "Ready") {
			ready++
		}
	}
	return ready, nil
}

// waitGone polls until no object of the kind is left in the namespace and done (may be nil)
// also holds, returning when each became true.
func (b *bench) waitGone(ctx context.Context, t *testing.T, namespace string, gvk schema.GroupVersionKind, done func() bool, timeout time.Duration) (objectsGone, doneAt time.Time) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if objectsGone.IsZero() {
			list := &metav1.PartialObjectMetadataList{}
			list.SetGroupVersionKind(gvk)
			if err := b.cl.List(ctx, list, client.InNamespace(namespace)); err != nil {
				t.Fatal(err)
			}
			if len(list.Items) == 0 {
				objectsGone = time.Now()
			}
		}
		if doneAt.IsZero() && (done == nil || done()) {
			doneAt = time.Now()
		}
		if !objectsGone.IsZero() && !doneAt.IsZero() {
			return objectsGone, doneAt
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s not all gone after %s", namespace, gvk.Kind, timeout)
		}
		b.pause(ctx, t, goneInterval)
	}
}

// goneInterval is how often the waits for deletions poll: they list metadata only, and the
// floors they time are a few seconds long.
const goneInterval = 250 * time.Millisecond

func (b *bench) pause(ctx context.Context, t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	case <-time.After(d):
	}
}

// kubectlDeleteAll is `kubectl delete RESOURCE --all -n NAMESPACE --wait=false`, the real
// kubectl, returning how long kubectl itself took.
func (b *bench) kubectlDeleteAll(t *testing.T, resource, namespace string) time.Duration {
	t.Helper()
	start := time.Now()
	cmd := exec.Command(b.kubectl, "--kubeconfig", b.env.Kubeconfig, "delete", resource, "--all", "-n", namespace, "--wait=false")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kubectl delete %s --all -n %s: %v\n%s", resource, namespace, err, tail(out))
	}
	return time.Since(start)
}

func tail(out []byte) string {
	if len(out) > 2000 {
		out = out[len(out)-2000:]
	}
	return string(out)
}

// productsWithPrefix counts the products on the IoT simulator whose name starts with prefix.
func (b *bench) productsWithPrefix(prefix string) int {
	n := 0
	for _, p := range b.alibaba.Products() {
		if strings.HasPrefix(p.ProductName, prefix) {
			n++
		}
	}
	return n
}
