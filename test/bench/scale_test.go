package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

// The documented limits the floors are computed from.
const (
	createProductQPS = 50  // CreateProduct, per account
	deleteProductQPS = 500 // DeleteProduct, per account
	flipPerSecond    = 5   // Flipsnack, per apiKey
	flipPerMinute    = 60  // Flipsnack, per apiKey
	flipMaxSKUs      = 500 // SKUs per products.create / products.delete
)

// TestScale is the scale benchmark. Order: feeds created; metadata-only changes to the
// ConfigMaps of other feeds (churn_test.go); a tenant's annotations (tenantmeta_test.go); for each IoT size, the API server's
// own floors (the same number of ConfigMaps created, then deleted), bulk create, (first size)
// calls at rest, bulk delete with kubectl delete --all, then the same create again in a
// namespace of its own and its deletion with kubectl delete namespace; feeds deleted; for each
// IoT size, as many IoTProducts deleted with no manager running; a fresh
// manager holding more and more objects for memory and CPU; last, the goals of the scale
// work, each with its measurement and ratio.
func TestScale(t *testing.T) {
	if os.Getenv("PRODLIFE_BENCH") == "" {
		t.Skip("scale benchmark: run with `make bench` (sets PRODLIFE_BENCH and KUBEBUILDER_ASSETS)")
	}
	cfg := loadConfig(t)
	b := start(t, cfg)
	t.Cleanup(func() {
		if err := b.report.write(); err != nil {
			t.Error(err)
		}
		t.Logf("report: %s", cfg.report)
	})
	ctx := context.Background()

	if cfg.feeds > 0 {
		b.createFeeds(ctx, t)
	}
	if cfg.churnFeeds > 0 {
		b.metadataChurn(ctx, t)
	}
	if cfg.tenantMeta {
		b.tenantMetadata(ctx, t)
	}
	for i, n := range cfg.iotSizes {
		createFloor, deleteFloor, namespaceFloor := b.configMapFloors(ctx, t, n)
		b.bulkCreate(ctx, t, iotNamespace(n), n, createFloor)
		if i == 0 {
			b.atRest(ctx, t, n)
		}
		b.bulkDelete(ctx, t, n, deleteFloor)
		b.bulkCreate(ctx, t, iotDoomedNamespace(n), n, createFloor)
		b.namespaceDelete(ctx, t, n, namespaceFloor)
	}
	if cfg.feeds > 0 {
		b.deleteFeeds(ctx, t)
	}
	// Last of the bulk work: these floors stop and restart the manager, whose first pass over
	// every object it finds would otherwise count in the next create's CPU.
	for _, n := range cfg.iotSizes {
		b.iotFloors(ctx, t, n)
	}
	if len(cfg.holdSizes) > 0 {
		b.hold(ctx, t)
	}
	b.addReport(t, "%s", b.results.goals())
}

// bulkCreate applies n IoTProducts in ns and waits until every one is Ready and on the
// platform. Its floor is the larger of N / CreateProduct QPS and the time the same API
// server took to create n ConfigMaps.
func (b *bench) bulkCreate(ctx context.Context, t *testing.T, ns string, n int, configMapFloor time.Duration) {
	b.namespace(ctx, t, ns)
	b.alibaba.ClearCalls()
	prefix := productPrefix(ns)
	api := b.apiSnapshot(t)
	cpu := b.managerCPU(t)
	start := time.Now()
	b.applyAll(ctx, t, iotProducts(ns, 0, n, prefix, true))
	applied := time.Since(start)
	ready := b.waitReady(ctx, t, ns, false, n, timeoutFor(n))
	took := ready.Sub(start)
	cpu = b.managerCPU(t) - cpu
	b.keepReadyStatus(ctx, t, ns)
	if got := b.productsWithPrefix(prefix + "_"); got != n {
		t.Errorf("%d products on the platform after the create, want %d", got, n)
	}
	qpsFloor := time.Duration(float64(n) / createProductQPS * float64(time.Second))
	floor := max(qpsFloor, configMapFloor)
	creates, throttled := countCalls(b.alibaba.Calls(alibabaiot.ActionCreateProduct))
	b.results.creates = append(b.results.creates, timed{n: n, how: ns, took: took, floor: floor, cpu: cpu})
	b.addReport(t, "## Bulk create, %d IoTProducts in %s\n\n"+
		"| applied (%d parallel server-side applies) | all Ready | (a) N / CreateProduct QPS (%d) | (b) %d ConfigMaps created | ratio to max(a, b) | manager CPU per object | CreateProduct calls (throttled) | all IoT calls | manager requests to the API server | load |\n|---|---|---|---|---|---|---|---|---|---|\n"+
		"| %s | %s | %s | %s | %s | %.1f ms | %d (%d) | %d | %s | %s |\n",
		n, ns, b.cfg.workers, createProductQPS, n, secs(applied), secs(took), secs(qpsFloor), secs(configMapFloor), ratio(took, floor),
		float64(cpu.Microseconds())/1000/float64(n), creates, throttled, len(b.alibaba.Calls("")), perObject(api, b.apiSnapshot(t), n), loadAverage())
	t.Logf("create %d: %s (floor %s)", n, took, floor)
}

// bulkDelete deletes the n IoTProducts with one kubectl delete --all and waits until every
// object is gone and every product is off the platform; its floor is the same deletion of n
// ConfigMaps.
func (b *bench) bulkDelete(ctx context.Context, t *testing.T, n int, configMapFloor floor) {
	ns := iotNamespace(n)
	b.alibaba.ClearCalls()
	api := b.apiSnapshot(t)
	start, cpu := time.Now(), b.cpuNow(t)
	kubectlTook := b.kubectlDeleteAll(t, "iotproducts", ns)
	gone, offPlatform := b.waitGone(ctx, t, ns, iotGVK, func() bool { return b.productsWithPrefix(productPrefix(ns)+"_") == 0 }, timeoutFor(n))
	took := later(gone, offPlatform).Sub(start)
	use := b.cpuNow(t).since(cpu)
	qpsFloor := time.Duration(float64(n) / deleteProductQPS * float64(time.Second))
	deletes, throttled := countCalls(b.alibaba.Calls(alibabaiot.ActionDeleteProduct))
	b.results.deletes = append(b.results.deletes, timed{n: n, how: "kubectl delete --all", took: took, floor: configMapFloor.took, use: use, floorUse: configMapFloor.use})
	b.addReport(t, "## Bulk delete, %d IoTProducts (`kubectl delete iotproducts --all --wait=false`, then poll a LIST)\n\n"+
		"| kubectl returned | objects gone | products off platform | (a) N / DeleteProduct QPS (%d) | (b) the same deletion of %d ConfigMaps | ratio to (b) | DeleteProduct calls (throttled) | manager requests to the API server | CPU per object (the ConfigMaps': %s) | load |\n|---|---|---|---|---|---|---|---|---|---|\n"+
		"| %s | %s | %s | %s | %s | %s | %d (%d) | %s | %s | %s |\n",
		n, deleteProductQPS, n, configMapFloor.use.perObject(n), secs(kubectlTook), secs(gone.Sub(start)), secs(offPlatform.Sub(start)), secs(qpsFloor), secs(configMapFloor.took), ratio(took, configMapFloor.took), deletes, throttled, perObject(api, b.apiSnapshot(t), n), use.perObject(n), loadAverage())
	t.Logf("delete %d: %s (floors %s, %s)", n, took, qpsFloor, configMapFloor.took)
}

// productPrefix begins the names of the products of namespace ns (a product name takes no
// hyphen).
func productPrefix(ns string) string { return strings.ReplaceAll(ns, "-", "_") }

func (b *bench) addReport(t *testing.T, format string, args ...any) {
	t.Helper()
	if err := b.report.add(format, args...); err != nil {
		t.Error(err)
	}
}

// apiSnapshot is the manager's requests to the API server so far, by method.
func (b *bench) apiSnapshot(t *testing.T) map[string]float64 {
	t.Helper()
	m, err := apiRequests(b.env.ManagerMetricsURL())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// perObject is the requests between two snapshots, with their total per object.
func perObject(before, after map[string]float64, n int) string {
	text, total := delta(before, after)
	return fmt.Sprintf("%s (%.1f per object)", text, total/float64(n))
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// countCalls counts calls and, of them, the throttled answers.
func countCalls(calls []alibabaiot.Call) (all, throttled int) {
	for _, c := range calls {
		if strings.HasPrefix(c.Code, "Throttling") {
			throttled++
		}
	}
	return len(calls), throttled
}

// timeoutFor bounds a phase over n objects generously: 10 minutes, or 5 objects a second.
func timeoutFor(n int) time.Duration {
	return max(10*time.Minute, time.Duration(n)*200*time.Millisecond)
}

// atRest counts the platform calls and API server requests of a manager doing nothing but
// resyncing: restarted with a short --sync-period, it is watched for cfg.idleWindow after one
// period has passed (the start-up pass of every object is over by then).
func (b *bench) atRest(ctx context.Context, t *testing.T, n int) {
	if b.cfg.idleWindow <= 0 {
		return
	}
	if err := b.env.RestartManager(ctx, "--sync-period="+b.cfg.idleSync.String()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(b.cfg.idleSync + 10*time.Second)
	b.alibaba.ClearCalls()
	b.flipsnack.ClearCalls()
	before, err := apiRequests(b.env.ManagerMetricsURL())
	if err != nil {
		t.Fatal(err)
	}
	cpu := b.managerCPU(t)
	time.Sleep(b.cfg.idleWindow)
	cpu = b.managerCPU(t) - cpu
	after, err := apiRequests(b.env.ManagerMetricsURL())
	if err != nil {
		t.Fatal(err)
	}
	calls := b.alibaba.Calls("")
	iotCalls, flipCalls := len(calls), len(b.flipsnack.Calls())
	byAction := map[string]int{}
	for _, c := range calls {
		byAction[c.Action]++
	}
	requests, requestTotal := delta(before, after)
	hours := b.cfg.idleWindow.Hours()
	perObjectHour := float64(iotCalls) / float64(n) / hours
	scaled := perObjectHour * b.cfg.idleSync.Seconds() / (10 * time.Minute).Seconds()
	feeds := max(b.cfg.feeds, 1)
	b.addReport(t, "## At rest: %d IoTProducts and %d feeds, --sync-period=%s, window %s\n\n"+
		"Calls per object per hour at the default 10m period = calls in window / objects / window in hours × sync period / 10m.\n\n"+
		"| IoT calls in window (by action) | per IoTProduct per hour (measured) | per IoTProduct per hour at --sync-period=10m | Flipsnack calls in window (per feed) | manager API server requests in window | per object per hour at 10m | manager CPU per resync (CPU in window / IoT calls) | load |\n|---|---|---|---|---|---|---|---|\n"+
		"| %d (%v) | %.1f | %.2f | %d (%.2f) | %s | %.2f | %s | %s |\n",
		n, b.cfg.feeds, b.cfg.idleSync, b.cfg.idleWindow, iotCalls, byAction, perObjectHour, scaled, flipCalls, float64(flipCalls)/float64(feeds), requests,
		requestTotal/float64(n+b.cfg.feeds)/hours*b.cfg.idleSync.Seconds()/(10*time.Minute).Seconds(), perCall(cpu, iotCalls), loadAverage())
	t.Logf("at rest: %d IoT calls, %d Flipsnack calls, API %s", iotCalls, flipCalls, requests)
	if err := b.env.RestartManager(ctx); err != nil {
		t.Fatal(err)
	}
}

// perCall is cpu spread over n calls, in milliseconds.
func perCall(cpu time.Duration, n int) string {
	if n == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f ms", float64(cpu.Microseconds())/1000/float64(n))
}

// feedProducts is a JSON array of n products in the platform's field names.
func feedProducts(feed, n int) string {
	products := make([]map[string]any, n)
	for i := range n {
		products[i] = map[string]any{
			"type": "product", "code": fmt.Sprintf("F%03d-SKU-%05d", feed, i),
			"title": fmt.Sprintf("Benchmark product %d", i), "sell_price": "9.90", "currency": "EUR",
		}
	}
	raw, _ := json.Marshal(products)
	return string(raw)
}

// flipsnackSecrets writes one credentials Secret per benchmark account: flipsnack-NN.
func (b *bench) flipsnackSecrets(ctx context.Context, t *testing.T, ns string) {
	t.Helper()
	var objs []*unstructured.Unstructured
	for i, key := range b.flipKeys {
		s := &corev1.Secret{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("flipsnack-%02d", i), Namespace: ns},
			StringData: map[string]string{"apiKey": key, "apiSecret": "bench-secret-" + key},
		}
		objs = append(objs, toUnstructured(t, s))
	}
	b.applyAll(ctx, t, objs)
}

func toUnstructured(t *testing.T, obj runtime.Object) *unstructured.Unstructured {
	t.Helper()
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		t.Fatal(err)
	}
	return &unstructured.Unstructured{Object: m}
}

// feedObjects are n feeds spread round-robin over the accounts, each with skus products from a
// ConfigMap of its own (skus > 3) or inline.
func (b *bench) feedObjects(t *testing.T, ns, prefix string, n, skus int) []*unstructured.Unstructured {
	var objs []*unstructured.Unstructured
	for i := range n {
		name := fmt.Sprintf("%s-%05d", prefix, i)
		spec := map[string]any{"credentialsSecretRef": map[string]any{"name": fmt.Sprintf("flipsnack-%02d", i%len(b.flipKeys))}}
		if skus > 3 {
			cm := &corev1.ConfigMap{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
				Data:       map[string]string{"products.json": feedProducts(i, skus)},
			}
			objs = append(objs, toUnstructured(t, cm))
			spec["productsFrom"] = []any{map[string]any{"configMap": map[string]any{"name": name, "key": "products.json"}}}
		} else {
			var products []any
			for j := range skus {
				products = append(products, map[string]any{"code": fmt.Sprintf("%s-%05d-%d", prefix, i, j), "type": "product", "title": "Held product", "sellPrice": "1.00", "currency": "EUR"})
			}
			spec["products"] = products
		}
		objs = append(objs, object("FlipsnackFeed", ns, name, spec))
	}
	return objs
}

// createFeeds makes cfg.feeds feeds of cfg.feedSKUs SKUs and waits until all are Ready.
func (b *bench) createFeeds(ctx context.Context, t *testing.T) {
	b.namespace(ctx, t, feedsNamespace)
	b.flipsnackSecrets(ctx, t, feedsNamespace)
	b.flipsnack.ClearCalls()
	start := time.Now()
	b.applyAll(ctx, t, b.feedObjects(t, feedsNamespace, "feed", b.cfg.feeds, b.cfg.feedSKUs))
	ready := b.waitReady(ctx, t, feedsNamespace, true, b.cfg.feeds, timeoutFor(b.cfg.feeds*b.cfg.feedSKUs/flipMaxSKUs*12))
	b.addReport(t, "## Feeds created: %d feeds of %d SKUs (ConfigMaps via spec.productsFrom), %d Flipsnack accounts\n\n%s",
		b.cfg.feeds, b.cfg.feedSKUs, len(b.flipKeys), b.flipsnackTable(ready.Sub(start), "products.create"))
}

// deleteFeeds deletes every feed with one kubectl delete --all and waits until the objects
// and the feeds on the platform are gone.
func (b *bench) deleteFeeds(ctx context.Context, t *testing.T) {
	b.flipsnack.ClearCalls()
	start := time.Now()
	b.kubectlDeleteAll(t, "flipsnackfeeds", feedsNamespace)
	gone, offPlatform := b.waitGone(ctx, t, feedsNamespace, feedGVK, func() bool { return b.feedsOnPlatform() == 0 }, timeoutFor(b.cfg.feeds*b.cfg.feedSKUs/flipMaxSKUs*12))
	b.addReport(t, "## Feeds deleted at once (`kubectl delete flipsnackfeeds --all --wait=false`)\n\n%s",
		b.flipsnackTable(later(gone, offPlatform).Sub(start), "products.delete"))
}

// feedsOnPlatform counts the feeds of the benchmark's accounts left on Flipsnack.
func (b *bench) feedsOnPlatform() int {
	mine := map[string]bool{}
	for _, k := range b.flipKeys {
		mine[flipsnack.AccountLabel(k)] = true
	}
	n := 0
	for _, f := range b.flipsnack.Feeds() {
		if mine[f.Account] {
			n++
		}
	}
	return n
}

// flipsnackTable reports the calls of one feed phase against the minimum and the budget.
func (b *bench) flipsnackTable(took time.Duration, action string) string {
	calls := b.flipsnack.Calls()
	perAction, limited := map[string]int{}, 0
	perAccount := map[string]int{}
	for _, c := range calls {
		perAction[c.Action]++
		perAccount[c.Account]++
		if c.Code == 31 || c.Code == 32 {
			limited++
		}
	}
	minimum := b.cfg.feeds * int(math.Ceil(float64(b.cfg.feedSKUs)/flipMaxSKUs))
	busiest := 0
	for _, n := range perAccount {
		busiest = max(busiest, n)
	}
	floor := flipsnackFloor(int(math.Ceil(float64(minimum) / float64(len(b.flipKeys)))))
	perAccountMinute := float64(len(calls)) / float64(len(b.flipKeys)) / took.Minutes()
	return fmt.Sprintf("Share of the budget achieved = the floor (the least time the busiest account's share of the minimum calls takes at 5/s and 60/min) / the time taken.\n\n"+
		"| took | %s calls | minimum (feeds × ceil(SKUs/500)) | all calls | busiest account | floor | share of the budget achieved | calls per account-minute (budget 60) | 31/32 answers | load |\n|---|---|---|---|---|---|---|---|---|---|\n"+
		"| %s | %d | %d | %d | %d | %s | %.0f%% | %.0f | %d | %s |\n",
		action, secs(took), perAction[action], minimum, len(calls), busiest, secs(floor), 100*floor.Seconds()/took.Seconds(), perAccountMinute, limited, loadAverage())
}

// flipsnackFloor is the least time c calls of one account take under sliding windows of 5 a
// second and 60 a minute: the first call at 0, each minute's 60 paced at 5 a second.
func flipsnackFloor(c int) time.Duration {
	if c <= 0 {
		return 0
	}
	k := c - 1
	return time.Duration(k/flipPerMinute)*time.Minute + time.Duration(k%flipPerMinute/flipPerSecond)*time.Second
}
