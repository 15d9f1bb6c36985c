package controllers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
	"github.com/prodlife/product-lifecycle-operator/controllers/flipsnackfeed"
	"github.com/prodlife/product-lifecycle-operator/internal/flipsnack"
	fssim "github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

// startOwnOperator runs a second operator (a manager with the feed controller) that reconciles
// only feeds labelled ownManagerLabel; stop ends it as a shutdown would, mid-work if need be.
func startOwnOperator(t *testing.T, fsOpts flipsnack.Options) (stop func()) {
	t.Helper()
	mgr, err := ownManager()
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	must(t, engine.RegisterIndexes(ctx, mgr))
	opts := asSecondManager(engine.Options{
		SlowRetry: testSlowRetry, MaxConcurrentReconciles: 2,
		RetryBaseDelay: 50 * time.Millisecond, RetryMaxDelay: 500 * time.Millisecond,
	})
	must(t, flipsnackfeed.SetupFlipsnackFeedController(mgr, flipsnack.NewClientSet(fsOpts), opts))
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	var stopped bool
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("operator stopped with %v", err)
		}
	}
	t.Cleanup(stop)
	return stop
}

// catalogueConfigMap holds n products "<prefix>-00000"... as a productsFrom source.
func catalogueConfigMap(t *testing.T, ns, name, prefix string, n int) v1alpha1.ProductsSource {
	t.Helper()
	products := make([]map[string]any, n)
	for i := range products {
		products[i] = map[string]any{"type": "product", "code": fmt.Sprintf("%s-%05d", prefix, i), "title": fmt.Sprintf("Product %d", i)}
	}
	data, err := json.Marshal(products)
	must(t, err)
	must(t, k8s.Create(context.Background(), &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Data:       map[string]string{"products.json": string(data)},
	}))
	return v1alpha1.ProductsSource{ConfigMap: v1alpha1.ConfigMapProducts{Name: name, Key: "products.json"}}
}

// An operator stopped in the middle of deleting a feed of 3,000 SKUs leaves the progress in
// the object; the operator that comes next deletes only what is left.
func TestFlipsnackFeedDeletionResumesAfterTheOperatorRestarts(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackRestartKey, flipsnackRestartSecret)
	src := catalogueConfigMap(t, ns, "catalogue", "R", 3000)
	f := newFeed(ns, "restart", func(f *v1alpha1.FlipsnackFeed) {
		f.Labels = map[string]string{ownManagerLabel: "true"}
		f.Spec.Products = nil
		f.Spec.ProductsFrom = []v1alpha1.ProductsSource{src}
	})
	// The first operator makes one call a second, so that it can be stopped between batches.
	stopOld := startOwnOperator(t, flipsnack.Options{Endpoint: fsURL, Timeout: testTimeout, RetryBase: 100 * time.Millisecond, PerSecond: 1})
	hash := readyFeed(t, f)

	must(t, k8s.Delete(context.Background(), f))
	eventually(t, "the first batch of 500 deleted", func() string {
		must(t, k8s.Get(context.Background(), client.ObjectKeyFromObject(f), f))
		if f.Status.ProductsDeleted < 500 {
			return fmt.Sprintf("%d deleted", f.Status.ProductsDeleted)
		}
		return ""
	})
	stopOld()
	must(t, k8s.Get(context.Background(), client.ObjectKeyFromObject(f), f))
	deletedBefore := f.Status.ProductsDeleted
	callsBefore := len(feedCalls("products.delete", hash))
	if deletedBefore >= 3000 || !contains(f.Finalizers, v1alpha1.Finalizer) {
		t.Fatalf("the first operator finished (%d deleted, finalizers %v); the test must stop it half way", deletedBefore, f.Finalizers)
	}
	sf, _ := simFeed(hash)
	if left := int64(len(sf.SKUs)); left > 3000-deletedBefore {
		t.Fatalf("%d SKUs left on the platform but status says %d of 3,000 deleted", left, deletedBefore)
	}
	t.Logf("stopped after %d delete calls, %d SKUs deleted", callsBefore, deletedBefore)

	startOwnOperator(t, flipsnack.Options{Endpoint: fsURL, Timeout: testTimeout, RetryBase: 100 * time.Millisecond})
	waitGone(t, f)
	if sf, ok := simFeed(hash); ok {
		t.Fatalf("feed still on the platform with %d SKUs", len(sf.SKUs))
	}
	calls := feedCalls("products.delete", hash)
	// Six batches at the least; one more only if the stop cut a call whose answer was lost.
	if len(calls) > 7 {
		t.Fatalf("%d products.delete calls for 3,000 SKUs, want 6 (7 at most): the deletion started over", len(calls))
	}
	if resumed := calls[callsBefore].Params["productsSKU"]; strings.HasPrefix(resumed, "R-00000,") {
		t.Fatalf("the restarted operator began again with the first batch (%.40s...)", resumed)
	}
}

// A products.create whose answer is lost (the call timed out but the platform made the
// products) is neither lost nor duplicated: the SKUs were recorded as in flight, the retried
// create meets "already exists" and becomes an update, and deleting the feed deletes them.
func TestFlipsnackFeedCreateWhoseAnswerIsLostIsRecordedAndNotDuplicated(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	must(t, fsSim.SetFaults(map[string]fssim.Fault{"products.create": {LatencyMs: 2 * int(testTimeout/time.Millisecond), Count: 1}}))
	defer fsSim.ClearFaults()
	f := newFeed(ns, "lost-answer")
	hash := readyFeed(t, f)

	creates := feedCalls("products.create", hash)
	if len(creates) != 2 || creates[0].Fault != "answer lost" || creates[1].Code != 40 {
		t.Fatalf("products.create calls %+v, want the lost one then one refused as existing", creates)
	}
	if upd := feedCalls("products.update", hash); len(upd) != 1 || upd[0].Items != 3 {
		t.Fatalf("products.update calls %+v, want one of the 3 products", upd)
	}
	if sf, _ := simFeed(hash); len(sf.SKUs) != 3 || f.Status.ProductsPushed != 3 {
		t.Fatalf("platform SKUs %v, status %d pushed: want 3 and 3", sf.SKUs, f.Status.ProductsPushed)
	}
	deleteAndWaitGone(t, f)
	if _, ok := simFeed(hash); ok {
		t.Fatalf("feed left on the platform")
	}
}

// Throttling answers (31, 32) during a deletion are waited out: the deletion finishes and
// nothing reports a failure.
func TestFlipsnackFeedThrottlingDuringDeletionIsWaitedOut(t *testing.T) {
	for _, code := range []string{"31", "32"} {
		t.Run(code, func(t *testing.T) {
			ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
			f := newFeed(ns, "throttled")
			hash := readyFeed(t, f)
			must(t, fsSim.SetFaults(map[string]fssim.Fault{"products.delete": {ErrorRate: 1, Code: code, Count: 2}}))
			defer fsSim.ClearFaults()

			must(t, k8s.Delete(context.Background(), f))
			reasons := map[string]bool{}
			deadline := time.Now().Add(waitFor)
			for {
				err := k8s.Get(context.Background(), client.ObjectKeyFromObject(f), f)
				if apierrors.IsNotFound(err) {
					break
				}
				must(t, err)
				if c := condition(f, v1alpha1.ConditionReady); c != nil {
					reasons[c.Reason] = true
				}
				if time.Now().After(deadline) {
					t.Fatalf("feed not deleted; Ready reasons seen %v", reasons)
				}
				time.Sleep(20 * time.Millisecond)
			}
			if reasons[engine.ReasonDeleteFailed] {
				t.Errorf("Ready said DeleteFailed during throttling; reasons seen %v", reasons)
			}
			if w := warnings(t, f); len(w) > 0 {
				t.Errorf("warning events during throttling: %q", w)
			}
			calls := feedCalls("products.delete", hash)
			if len(calls) != 3 || calls[0].Code != mustAtoi(code) || calls[2].Code != 20 {
				t.Fatalf("products.delete calls %+v, want two throttled then one done", calls)
			}
			if _, ok := simFeed(hash); ok {
				t.Fatalf("feed left on the platform")
			}
		})
	}
}

// A feed named by spec.sourceHash is adopted: its SKUs that the spec declares are taken over
// (updated, or created when missing), the others are never touched, and deleting the resource
// deletes only the SKUs it pushed.
func TestFlipsnackFeedAdoptsAFeedNamedBySourceHash(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	hash := "existing-feed-" + ns
	must(t, fsSim.Seed(flipsnackKey, hash, []json.RawMessage{
		json.RawMessage(`{"type":"product","code":"OLD-1","title":"Kept"}`),
		json.RawMessage(`{"type":"product","code":"SKU-1","title":"Old mug"}`),
		json.RawMessage(`{"type":"product","code":"OLD-2","title":"Kept too"}`),
	}))
	f := newFeed(ns, "adopter", func(f *v1alpha1.FlipsnackFeed) { f.Spec.SourceHash = hash })
	if got := readyFeed(t, f); got != hash || f.Annotations[v1alpha1.ExternalIDAnnotation] != hash {
		t.Fatalf("status.sourceHash %q, annotation %q; want the adopted %s", got, f.Annotations[v1alpha1.ExternalIDAnnotation], hash)
	}
	sf, _ := simFeed(hash)
	if len(sf.SKUs) != 5 {
		t.Fatalf("platform SKUs %v, want OLD-1, SKU-1, OLD-2 and the new SKU-2, SKU-3", sf.SKUs)
	}
	if p := simProduct(t, hash, "SKU-1"); p["title"] != "Mug" {
		t.Fatalf("SKU-1 on the platform is %v, want the spec's title", p)
	}
	if p := simProduct(t, hash, "OLD-1"); p["title"] != "Kept" {
		t.Fatalf("OLD-1 on the platform is %v, want it untouched", p)
	}

	deleteAndWaitGone(t, f)
	sf, _ = simFeed(hash)
	if strings.Join(sf.SKUs, ",") != "OLD-1,OLD-2" {
		t.Fatalf("platform SKUs after the deletion %v, want only those the resource never declared: OLD-1, OLD-2", sf.SKUs)
	}
}

// A feed that never pushed a product (here: its ConfigMap is missing) goes without an API
// call and without usable credentials.
func TestFlipsnackFeedNeverPushedGoesWithoutCredentials(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	f := newFeed(ns, "unpushed", func(f *v1alpha1.FlipsnackFeed) {
		f.Spec.ProductsFrom = []v1alpha1.ProductsSource{{ConfigMap: v1alpha1.ConfigMapProducts{Name: "missing", Key: "products.json"}}}
	})
	must(t, k8s.Create(context.Background(), f))
	stalled := waitCondition(t, f, v1alpha1.ConditionStalled, metav1.ConditionTrue, engine.ReasonInvalidSpec)
	if !strings.Contains(stalled.Message, `ConfigMap "missing"`) {
		t.Fatalf("Stalled message %q does not name the missing ConfigMap", stalled.Message)
	}
	hash := f.Status.SourceHash
	waitEvent(t, f, "IdentityRecorded", hash)
	for _, e := range events(t, f) {
		if strings.HasPrefix(e, "Created:") {
			t.Fatalf("event %q claims the feed was created before any push", e)
		}
	}

	// The credentials become unusable; nothing needs them.
	s := &corev1.Secret{}
	must(t, k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: feedSecret}, s))
	delete(s.Data, "apiKey")
	must(t, k8s.Update(context.Background(), s))
	waitSecretSeen(t, s) // let the manager's cache see the broken Secret

	deleteAndWaitGone(t, f)
	waitEvent(t, f, "NothingToDelete")
	for _, c := range fsSim.Calls() {
		if c.Params["sourceHash"] == hash {
			t.Fatalf("API call %+v for a feed that never pushed", c)
		}
	}
}

// A field removed from a product is cleared on the platform with an update that sends it as
// null, and nothing else.
func TestFlipsnackFeedRemovedFieldIsClearedOnThePlatform(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	f := newFeed(ns, "clear", func(f *v1alpha1.FlipsnackFeed) { f.Spec.Products[0].Description = "Stoneware" })
	hash := readyFeed(t, f)
	if p := simProduct(t, hash, "SKU-1"); p["description"] != "Stoneware" {
		t.Fatalf("SKU-1 is %v, want its description", p)
	}
	updateFeed(t, f, func(f *v1alpha1.FlipsnackFeed) { f.Spec.Products[0].Description = "" })
	eventually(t, "the description cleared", func() string {
		if p := simProduct(t, hash, "SKU-1"); p["description"] != nil {
			return fmt.Sprintf("SKU-1 is %v", p)
		}
		return ""
	})
	upd := feedCalls("products.update", hash)
	if len(upd) != 1 || upd[0].Params["products"] != `[{"code":"SKU-1","description":null}]` {
		t.Fatalf("products.update calls %+v, want one carrying only SKU-1's description as null", upd)
	}
}

// `kubectl delete namespace` with feeds and their Secret inside deletes every feed's products
// on the platform before the namespace goes.
func TestDeletingANamespaceDeletesEveryFeedOnThePlatform(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	first := readyFeed(t, newFeed(ns, "first"))
	second := readyFeed(t, newFeed(ns, "second"))

	must(t, k8s.Delete(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}))
	eventually(t, "the namespace to disappear", func() string {
		if err := k8s.Get(context.Background(), client.ObjectKey{Name: ns}, &corev1.Namespace{}); !apierrors.IsNotFound(err) {
			return "namespace still there"
		}
		return ""
	})
	for _, hash := range []string{first, second} {
		if sf, ok := simFeed(hash); ok {
			t.Errorf("feed %s still on the platform with %v", hash, sf.SKUs)
		}
		if del := feedCalls("products.delete", hash); len(del) != 1 {
			t.Errorf("products.delete calls for %s: %d, want 1", hash, len(del))
		}
	}
}

func mustAtoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}
