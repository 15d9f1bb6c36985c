package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// The least a deletion can cost when a controller holds each object with a finalizer, as the
// manager must (the product leaves the platform before the object may go): the API server
// turns kubectl's DELETE into an update, and the controller's PATCH that takes the finalizer
// off into an update and a delete. The release floor measures exactly that: IoTProducts held
// by the benchmark's own finalizer, and a controller in the benchmark that takes it off as
// soon as each one is marked, with the merge patch and optimistic lock the engine sends
// (controllers/engine/patch.go), from as many workers as the manager runs by default. No CRD read,
// no event, no platform call: what the manager spends above this is its own.

// releaseWorkers is the manager's default --max-concurrent-reconciles.
const releaseWorkers = 4

// releaser takes floorFinalizer off each IoTProduct of its namespaces once it is marked for
// deletion.
type releaser struct{ client client.Client }

func (r releaser) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	obj := &metav1.PartialObjectMetadata{}
	obj.SetGroupVersionKind(iotGVK.GroupVersion().WithKind("IoTProduct"))
	if err := r.client.Get(ctx, req.NamespacedName, obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if obj.DeletionTimestamp == nil || !controllerutil.ContainsFinalizer(obj, floorFinalizer) {
		return ctrl.Result{}, nil
	}
	before := obj.DeepCopy()
	controllerutil.RemoveFinalizer(obj, floorFinalizer)
	err := r.client.Patch(ctx, obj, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{}))
	return ctrl.Result{}, client.IgnoreNotFound(err)
}

// startReleaser runs a releaser over the namespaces until the returned stop is called; it
// returns once its cache has synced. Like the manager, it has no client-side limit towards the
// API server and watches only the objects' metadata.
func (b *bench) startReleaser(t *testing.T, namespaces ...string) (stop func()) {
	t.Helper()
	// Its errors reach the test through stop; controller-runtime's log would only be noise.
	ctrl.SetLogger(logr.Discard())
	rc := *b.env.Config
	rc.QPS, rc.Burst = -1, 0
	watched := map[string]cache.Config{}
	for _, ns := range namespaces {
		watched[ns] = cache.Config{}
	}
	mgr, err := ctrl.NewManager(&rc, ctrl.Options{
		Scheme:                 testenv.NewScheme(),
		Cache:                  cache.Options{DefaultNamespaces: watched},
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
	})
	if err != nil {
		t.Fatal(err)
	}
	held := &metav1.PartialObjectMetadata{}
	held.SetGroupVersionKind(iotGVK.GroupVersion().WithKind("IoTProduct"))
	skip := true
	if err := ctrl.NewControllerManagedBy(mgr).Named("bench-release-floor").For(held).
		WithOptions(controller.Options{MaxConcurrentReconciles: releaseWorkers, SkipNameValidation: &skip}).
		Complete(releaser{client: mgr.GetClient()}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	syncCtx, syncCancel := context.WithTimeout(ctx, time.Minute)
	defer syncCancel()
	if !mgr.GetCache().WaitForCacheSync(syncCtx) {
		cancel()
		t.Fatalf("the release floor's cache did not sync: %v", <-done)
	}
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("the release floor's controller: %v", err)
		}
	}
}

// releaseFloors measures, for n IoTProducts each held by floorFinalizer, carrying the status
// of one the manager brought to Ready (the API server sends and stores the whole object at
// every step, so its size counts), and let go by a releaser: `kubectl delete iotproducts --all --wait=false` until a LIST shows none, and
// `kubectl delete namespace --wait=false` of a namespace holding them until a LIST shows none.
func (b *bench) releaseFloors(ctx context.Context, t *testing.T, n int) (deleteAll, namespace floor) {
	all, doomed := iotFloorNamespace(n, "release"), iotFloorNamespace(n, "release-ns")
	for _, ns := range []string{all, doomed} {
		b.namespace(ctx, t, ns)
		held := iotProducts(ns, 0, n, "floor_release", true)
		for _, obj := range held {
			obj.SetFinalizers([]string{floorFinalizer})
		}
		b.applyAll(ctx, t, held)
		b.setStatusAll(ctx, t, held, b.readyStatus)
	}
	stop := b.startReleaser(t, all, doomed)
	defer stop()

	start, cpu := time.Now(), b.cpuNow(t)
	b.kubectlDeleteAll(t, "iotproducts", all)
	gone, _ := b.waitGone(ctx, t, all, iotGVK, nil, timeoutFor(n))
	deleteAll = floor{took: gone.Sub(start), use: b.cpuNow(t).since(cpu)}

	start, cpu = time.Now(), b.cpuNow(t)
	b.kubectlDeleteNamespace(t, doomed)
	gone, _ = b.waitGone(ctx, t, doomed, iotGVK, nil, timeoutFor(n))
	namespace = floor{took: gone.Sub(start), use: b.cpuNow(t).since(cpu)}
	b.waitNamespaceGone(ctx, t, doomed, timeoutFor(n))
	return deleteAll, namespace
}

// keepReadyStatus keeps the status of one IoTProduct of ns, once, for the release floor.
func (b *bench) keepReadyStatus(ctx context.Context, t *testing.T, ns string) {
	t.Helper()
	if b.readyStatus != nil {
		return
	}
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(iotGVK)
	if err := b.cl.List(ctx, list, client.InNamespace(ns), client.Limit(1)); err != nil {
		t.Fatal(err)
	}
	if len(list.Items) == 0 {
		t.Fatalf("no IoTProduct in %s to take a Ready status from", ns)
	}
	status, _, err := unstructured.NestedMap(list.Items[0].Object, "status")
	if err != nil || status == nil {
		t.Fatalf("IoTProduct %s/%s has no status (%v)", ns, list.Items[0].GetName(), err)
	}
	b.readyStatus = status
}

// setStatusAll writes status on every object with a merge patch of the status subresource,
// as the manager does, from cfg.workers goroutines.
func (b *bench) setStatusAll(ctx context.Context, t *testing.T, objs []*unstructured.Unstructured, status map[string]any) {
	t.Helper()
	if status == nil {
		t.Fatal("no Ready status kept: the release floor runs after a bulk create")
	}
	patch, err := json.Marshal(map[string]any{"status": status})
	if err != nil {
		t.Fatal(err)
	}
	b.eachParallel(t, objs, func(obj *unstructured.Unstructured) error {
		if err := b.cl.Status().Patch(ctx, obj.DeepCopy(), client.RawPatch(types.MergePatchType, patch), client.FieldOwner(statusOwner)); err != nil {
			return fmt.Errorf("writing the status of %s/%s: %w", obj.GetNamespace(), obj.GetName(), err)
		}
		return nil
	})
}

// statusOwner writes the release floor's statuses, as the manager writes its own.
const statusOwner = "prodlife-bench-status"
