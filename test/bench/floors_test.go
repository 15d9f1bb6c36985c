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

// configMapFloors measures, for n ConfigMaps: how long their parallel applies take; how long
// `kubectl delete configmaps --all --wait=false` takes until a LIST shows none; and how long a
// namespace holding them takes to go after `kubectl delete namespace --wait=false`.
func (b *bench) configMapFloors(ctx context.Context, t *testing.T, n int) (create, deleteAll, namespace time.Duration) {
	ns := configMapNamespace(n, "all")
	b.namespace(ctx, t, ns)
	start := time.Now()
	b.applyAll(ctx, t, configMaps(ns, n))
	create = time.Since(start)

	start = time.Now()
	b.kubectlDeleteAll(t, "configmaps", ns)
	gone, _ := b.waitGone(ctx, t, ns, configMapGVK, nil, timeoutFor(n))
	deleteAll = gone.Sub(start)

	ns = configMapNamespace(n, "ns")
	b.namespace(ctx, t, ns)
	b.applyAll(ctx, t, configMaps(ns, n))
	start = time.Now()
	b.kubectlDeleteNamespace(t, ns)
	gone, _ = b.waitGone(ctx, t, ns, configMapGVK, nil, timeoutFor(n))
	namespace = gone.Sub(start)
	namespaceGone := b.waitNamespaceGone(ctx, t, ns, timeoutFor(n)).Sub(start)
	b.addReport(t, "## The API server's floors for %d objects (ConfigMaps, no controller involved)\n\n"+
		"| create (%d parallel server-side applies) | `kubectl delete configmaps --all --wait=false` until a LIST shows none | `kubectl delete namespace --wait=false` until a LIST shows none | (the namespace itself gone) | load |\n|---|---|---|---|---|\n"+
		"| %s | %s | %s | %s | %s |\n", n, b.cfg.workers, secs(create), secs(deleteAll), secs(namespace), secs(namespaceGone), loadAverage())
	return create, deleteAll, namespace
}

// namespaceDelete deletes the namespace holding n Ready IoTProducts (and their credentials
// Secret) with kubectl and waits until a LIST shows none of them left and every product is
// off the platform; its floor is the same for a namespace holding n ConfigMaps. When the
// namespace itself goes is reported too: the namespace controller retries with a backoff of
// its own while finalizers hold objects, which no operator can shorten.
func (b *bench) namespaceDelete(ctx context.Context, t *testing.T, n int, configMapFloor time.Duration) {
	ns := iotDoomedNamespace(n)
	b.alibaba.ClearCalls()
	api := b.apiSnapshot(t)
	start := time.Now()
	b.kubectlDeleteNamespace(t, ns)
	gone, offPlatform := b.waitGone(ctx, t, ns, iotGVK, func() bool { return b.productsWithPrefix(productPrefix(ns)+"_") == 0 }, timeoutFor(n))
	took := later(gone, offPlatform).Sub(start)
	deletes, throttled := countCalls(b.alibaba.Calls(alibabaiot.ActionDeleteProduct))
	requests := perObject(api, b.apiSnapshot(t), n)
	namespaceGone := b.waitNamespaceGone(ctx, t, ns, timeoutFor(n)).Sub(start)
	b.results.deletes = append(b.results.deletes, timed{n: n, how: "kubectl delete namespace", took: took, floor: configMapFloor})
	b.addReport(t, "## Namespace deletion, %d IoTProducts (`kubectl delete namespace %s --wait=false`, then poll a LIST)\n\n"+
		"| objects gone | products off platform | the same for a namespace of %d ConfigMaps | ratio | (the namespace itself gone) | DeleteProduct calls (throttled) | manager requests to the API server | load |\n|---|---|---|---|---|---|---|---|\n"+
		"| %s | %s | %s | %s | %s | %d (%d) | %s | %s |\n",
		n, ns, n, secs(gone.Sub(start)), secs(offPlatform.Sub(start)), secs(configMapFloor), ratio(took, configMapFloor), secs(namespaceGone), deletes, throttled, requests, loadAverage())
	t.Logf("namespace delete %d: %s (floor %s)", n, took, configMapFloor)
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
