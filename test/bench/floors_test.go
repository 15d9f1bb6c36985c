package bench

import (
	"context"
	"fmt"
	"os/exec"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

// The API server's own speed is the floor of bulk work: the same create or deletion of as
// many ConfigMaps, objects no controller waits on, through the same API server, with the same
// parallel applies and the same kubectl commands.

// iotDoomedNamespace holds the IoTProducts deleted with their namespace; watched by the manager.
func iotDoomedNamespace(n int) string { return fmt.Sprintf("bench-iotns-%d", n) }

// configMapNamespace holds the floors' ConfigMaps; not watched by the manager.
func configMapNamespace(n int, what string) string { return fmt.Sprintf("bench-floor-%s-%d", what, n) }

// configMaps are n ConfigMaps about the size of an IoTProduct's spec.
func configMaps(ns string, n int) []*unstructured.Unstructured {
	objs := make([]*unstructured.Unstructured, n)
	for i := range n {
		cm := &unstructured.Unstructured{Object: map[string]any{"data": map[string]any{
			"productName": fmt.Sprintf("floor_%06d", i), "description": "benchmark product", "region": "cn-shanghai",
			"nodeType": "Device", "dataFormat": "AlinkJSON", "authType": "secret", "netType": "WIFI",
		}}}
		cm.SetAPIVersion("v1")
		cm.SetKind("ConfigMap")
		cm.SetNamespace(ns)
		cm.SetName(fmt.Sprintf("p-%06d", i))
		objs[i] = cm
	}
	return objs
}

var configMapGVK = corev1.SchemeGroupVersion.WithKind("ConfigMapList")

// floor is one deletion of ConfigMaps: how long it took and the CPU it cost.
type floor struct {
	took time.Duration
	use  cpuUse
}

// configMapFloors measures, for n ConfigMaps: how long their parallel applies take; how long
// `kubectl delete configmaps --all --wait=false` takes until a LIST shows none; and how long a
// namespace holding them takes to go after `kubectl delete namespace --wait=false`.
func (b *bench) configMapFloors(ctx context.Context, t *testing.T, n int) (create time.Duration, deleteAll, namespace floor) {
	ns := configMapNamespace(n, "all")
	b.namespace(ctx, t, ns)
	start := time.Now()
	b.applyAll(ctx, t, configMaps(ns, n))
	create = time.Since(start)

	start, cpu := time.Now(), b.cpuNow(t)
	b.kubectlDeleteAll(t, "configmaps", ns)
	gone, _ := b.waitGone(ctx, t, ns, configMapGVK, nil, timeoutFor(n))
	deleteAll = floor{took: gone.Sub(start), use: b.cpuNow(t).since(cpu)}

	ns = configMapNamespace(n, "ns")
	b.namespace(ctx, t, ns)
	b.applyAll(ctx, t, configMaps(ns, n))
	start, cpu = time.Now(), b.cpuNow(t)
	b.kubectlDeleteNamespace(t, ns)
	gone, _ = b.waitGone(ctx, t, ns, configMapGVK, nil, timeoutFor(n))
	namespace = floor{took: gone.Sub(start), use: b.cpuNow(t).since(cpu)}
	namespaceGone := b.waitNamespaceGone(ctx, t, ns, timeoutFor(n)).Sub(start)
	b.addReport(t, "## The API server's floors for %d objects (ConfigMaps, no controller involved)\n\n"+
		"| create (%d parallel server-side applies) | `kubectl delete configmaps --all --wait=false` until a LIST shows none | its CPU per object | `kubectl delete namespace --wait=false` until a LIST shows none | its CPU per object | (the namespace itself gone) | load |\n|---|---|---|---|---|---|---|\n"+
		"| %s | %s | %s | %s | %s | %s | %s |\n", n, b.cfg.workers, secs(create), secs(deleteAll.took), deleteAll.use.perObject(n),
		secs(namespace.took), namespace.use.perObject(n), secs(namespaceGone), loadAverage())
	return create, deleteAll, namespace
}

// iotFloors measures what deleting n IoTProducts costs the API server itself, with no manager
// running: `kubectl delete iotproducts --all --wait=false` of IoTProducts no finalizer holds,
// until a LIST shows none; and of IoTProducts a finalizer of the benchmark's own holds, until
// a LIST shows every one marked for deletion (the DELETE of a held object is an update, as it
// is for the manager's). Between these and the ConfigMaps' floor lies what the kind costs the
// API server (its JSON, its schema, the admission policies); between these and the real
// deletion, what the manager adds. The manager runs again afterwards, with its usual flags.
func (b *bench) iotFloors(ctx context.Context, t *testing.T, n int) {
	if err := b.env.Managers()[0].Stop(); err != nil {
		t.Fatal(err)
	}
	ns := iotFloorNamespace(n, "bare")
	b.namespace(ctx, t, ns)
	b.applyAll(ctx, t, iotProducts(ns, 0, n, "floor_bare", true))
	start, cpu := time.Now(), b.cpuNow(t)
	bareKubectl := b.kubectlDeleteAll(t, "iotproducts", ns)
	gone, _ := b.waitGone(ctx, t, ns, iotGVK, nil, timeoutFor(n))
	bare, bareUse := gone.Sub(start), b.cpuNow(t).since(cpu)

	ns = iotFloorNamespace(n, "held")
	b.namespace(ctx, t, ns)
	held := iotProducts(ns, 0, n, "floor_held", true)
	for _, obj := range held {
		obj.SetFinalizers([]string{floorFinalizer})
	}
	b.applyAll(ctx, t, held)
	start, cpu = time.Now(), b.cpuNow(t)
	heldKubectl := b.kubectlDeleteAll(t, "iotproducts", ns)
	marked := b.waitMarked(ctx, t, ns, n, timeoutFor(n)).Sub(start)
	heldUse := b.cpuNow(t).since(cpu)
	// The benchmark's apply owns the finalizer: applying the objects without it removes it.
	b.applyAll(ctx, t, iotProducts(ns, 0, n, "floor_held", true))
	b.waitGone(ctx, t, ns, iotGVK, nil, timeoutFor(n))

	releaseAll, releaseNamespace := b.releaseFloors(ctx, t, n)
	b.results.releases = append(b.results.releases,
		timed{n: n, how: "kubectl delete --all", took: releaseAll.took, use: releaseAll.use},
		timed{n: n, how: "kubectl delete namespace", took: releaseNamespace.took, use: releaseNamespace.use})

	if _, err := b.env.StartManager(ctx); err != nil {
		t.Fatal(err)
	}
	b.addReport(t, "## The API server's cost of deleting %d IoTProducts (no manager running)\n\n"+
		"| `kubectl delete iotproducts --all --wait=false`, no finalizer: kubectl returned | until a LIST shows none | its CPU per object | the same, each held by a finalizer: kubectl returned | until a LIST shows all marked for deletion | its CPU per object | load |\n|---|---|---|---|---|---|---|\n"+
		"| %s | %s | %s | %s | %s | %s | %s |\n\n"+
		"Held by a finalizer that the benchmark's own controller takes off as soon as each is marked (the release floor: the least any controller holding its objects with a finalizer costs):\n\n"+
		"| `kubectl delete iotproducts --all --wait=false` until a LIST shows none | its CPU per object | `kubectl delete namespace --wait=false` until a LIST shows none | its CPU per object |\n|---|---|---|---|\n"+
		"| %s | %s | %s | %s |\n", n, secs(bareKubectl), secs(bare), bareUse.perObject(n), secs(heldKubectl), secs(marked), heldUse.perObject(n), loadAverage(),
		secs(releaseAll.took), releaseAll.use.perObject(n), secs(releaseNamespace.took), releaseNamespace.use.perObject(n))
	t.Logf("IoTProduct floors %d: no finalizer %s, held %s, released %s (namespace %s)", n, bare, marked, releaseAll.took, releaseNamespace.took)
}

// iotFloorNamespace holds the IoTProducts of the floors without a manager.
func iotFloorNamespace(n int, what string) string {
	return fmt.Sprintf("bench-floor-iot-%s-%d", what, n)
}

// floorFinalizer holds the IoTProducts of the held floor, as the manager's finalizer would.
const floorFinalizer = "bench.prodlife.dev/hold"

// waitMarked polls until all n IoTProducts of ns are marked for deletion or already gone,
// returning when.
func (b *bench) waitMarked(ctx context.Context, t *testing.T, ns string, n int, timeout time.Duration) time.Time {
	t.Helper()
	return b.waitCount(ctx, t, ns, "IoTProducts marked for deletion or gone", n, timeout, goneInterval, func() (int, error) {
		list := &metav1.PartialObjectMetadataList{}
		list.SetGroupVersionKind(iotGVK)
		if err := b.cl.List(ctx, list, client.InNamespace(ns)); err != nil {
			return 0, err
		}
		marked := n - len(list.Items)
		for _, o := range list.Items {
			if o.DeletionTimestamp != nil {
				marked++
			}
		}
		return marked, nil
	})
}

// namespaceDelete deletes the namespace holding n Ready IoTProducts (and their credentials
// Secret) with kubectl and waits until a LIST shows none of them left and every product is
// off the platform; its floor is the same for a namespace holding n ConfigMaps. When the
// namespace itself goes is reported too: the namespace controller retries with a backoff of
// its own while finalizers hold objects, which no operator can shorten.
func (b *bench) namespaceDelete(ctx context.Context, t *testing.T, n int, configMapFloor floor) {
	ns := iotDoomedNamespace(n)
	b.alibaba.ClearCalls()
	api := b.apiSnapshot(t)
	start, cpu := time.Now(), b.cpuNow(t)
	b.kubectlDeleteNamespace(t, ns)
	// The namespace controller, not the manager, decides when the objects are marked.
	marked := b.waitMarked(ctx, t, ns, n, timeoutFor(n)).Sub(start)
	gone, offPlatform := b.waitGone(ctx, t, ns, iotGVK, func() bool { return b.productsWithPrefix(productPrefix(ns)+"_") == 0 }, timeoutFor(n))
	took := later(gone, offPlatform).Sub(start)
	use := b.cpuNow(t).since(cpu)
	deletes, throttled := countCalls(b.alibaba.Calls(alibabaiot.ActionDeleteProduct))
	requests := perObject(api, b.apiSnapshot(t), n)
	namespaceGone := b.waitNamespaceGone(ctx, t, ns, timeoutFor(n)).Sub(start)
	b.results.deletes = append(b.results.deletes, timed{n: n, how: "kubectl delete namespace", took: took, floor: configMapFloor.took, use: use, floorUse: configMapFloor.use})
	b.addReport(t, "## Namespace deletion, %d IoTProducts (`kubectl delete namespace %s --wait=false`, then poll a LIST)\n\n"+
		"| all marked for deletion (or gone) | objects gone | products off platform | the same for a namespace of %d ConfigMaps | ratio | (the namespace itself gone) | DeleteProduct calls (throttled) | manager requests to the API server | CPU per object (the ConfigMaps': %s) | load |\n|---|---|---|---|---|---|---|---|---|---|\n"+
		"| %s | %s | %s | %s | %s | %s | %d (%d) | %s | %s | %s |\n",
		n, ns, n, configMapFloor.use.perObject(n), secs(marked), secs(gone.Sub(start)), secs(offPlatform.Sub(start)), secs(configMapFloor.took), ratio(took, configMapFloor.took), secs(namespaceGone), deletes, throttled, requests, use.perObject(n), loadAverage())
	t.Logf("namespace delete %d: %s (floor %s)", n, took, configMapFloor.took)
}

func (b *bench) kubectlDeleteNamespace(t *testing.T, ns string) {
	t.Helper()
	cmd := exec.Command(b.kubectl, "--kubeconfig", b.env.Kubeconfig, "delete", "namespace", ns, "--wait=false")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kubectl delete namespace %s: %v\n%s", ns, err, tail(out))
	}
}

// waitNamespaceGone polls until the namespace no longer exists and returns when it went.
func (b *bench) waitNamespaceGone(ctx context.Context, t *testing.T, ns string, timeout time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := b.cl.Get(ctx, types.NamespacedName{Name: ns}, &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"}})
		if apierrors.IsNotFound(err) {
			return time.Now()
		}
		if err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("namespace %s not gone after %s", ns, timeout)
		}
		b.pause(ctx, t, goneInterval)
	}
}

// managerCPU is the manager's CPU time so far.
func (b *bench) managerCPU(t *testing.T) time.Duration {
	t.Helper()
	s, err := readProc(b.env.ManagerPID())
	if err != nil {
		t.Fatal(err)
	}
	return s.cpu
}
