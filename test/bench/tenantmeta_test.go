package bench

import (
	"context"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/prodlife/product-lifecycle-operator/internal/devenv"
)

// A tenant's annotations are hers to write, up to 256 KiB an object, on as many objects as
// her quota allows. The manager must not hold them: what a settled manager grows by when a
// namespace fills its objects with them, and whether 1,000 such products leave it under the
// memory limit the install ships.
const (
	tenantMetaNamespace    = "bench-annotated"
	tenantAnnotationBytes  = 250 << 10
	tenantMetaConfigMaps   = 100
	tenantMetaSecrets      = 20
	tenantMetaProducts     = 20
	goalTenantMetaGrowth   = 10 << 20 // bytes of live heap for the 35 MB above
	shippedMemoryLimitMiB  = 256      // config/manager/manager.yaml, resources.limits.memory
	tenantMetaSettledReads = 3        // live-heap readings, the least of which counts
)

type tenantMeta struct {
	annotatedMB               float64
	heapGrowth                float64 // bytes
	rssGrowthKB               int64
	products                  int
	productsHWMKB, productsKB int64
	restarted                 bool
}

// tenantMetadata restarts the manager (fresh peak memory), lets it settle, then fills a
// namespace with 100 ConfigMaps, 20 credentials Secrets (each used by one of 20 IoTProducts)
// and those 20 products, each object with a 250 KB annotation; once all are Ready and the
// manager is quiet, its growth is read. Then cfg.annotatedProducts more such products, and
// the manager's peak memory against the shipped limit.
func (b *bench) tenantMetadata(ctx context.Context, t *testing.T) {
	if err := b.env.RestartManager(ctx); err != nil {
		t.Fatal(err)
	}
	pid := b.env.ManagerPID()
	b.namespace(ctx, t, tenantMetaNamespace)
	b.quiet(t)
	heap0, proc0 := b.settledHeap(t), mustReadProc(t, pid)

	notes := strings.Repeat("n", tenantAnnotationBytes)
	annotate := func(u *unstructured.Unstructured) *unstructured.Unstructured {
		u.SetAnnotations(map[string]string{"example.com/notes": notes})
		return u
	}
	var objs []*unstructured.Unstructured
	for i := range tenantMetaConfigMaps {
		objs = append(objs, annotate(toUnstructured(t, &corev1.ConfigMap{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("notes-%03d", i), Namespace: tenantMetaNamespace},
			Data:       map[string]string{"k": "v"},
		})))
	}
	demo := devenv.DemoCredentials
	products := iotProducts(tenantMetaNamespace, 0, tenantMetaProducts, "annotated", true)
	for i := range tenantMetaSecrets {
		name := fmt.Sprintf("alibaba-%02d", i)
		objs = append(objs, annotate(toUnstructured(t, &corev1.Secret{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: tenantMetaNamespace},
			StringData: map[string]string{"accessKeyId": demo.AlibabaAccessKeyID, "accessKeySecret": demo.AlibabaAccessKeySecret},
		})))
		if err := unstructured.SetNestedField(products[i].Object, name, "spec", "credentialsSecretRef", "name"); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range products {
		objs = append(objs, annotate(p))
	}
	b.applyAll(ctx, t, objs)
	b.waitReady(ctx, t, tenantMetaNamespace, false, tenantMetaProducts, timeoutFor(tenantMetaProducts))
	b.quiet(t)
	heap1, proc1 := b.settledHeap(t), mustReadProc(t, pid)
	m := tenantMeta{
		annotatedMB: float64(len(objs)*tenantAnnotationBytes) / 1e6,
		heapGrowth:  heap1 - heap0, rssGrowthKB: proc1.rssKB - proc0.rssKB,
		products: b.cfg.annotatedProducts,
	}

	if n := b.cfg.annotatedProducts; n > 0 {
		var more []*unstructured.Unstructured
		for _, p := range iotProducts(tenantMetaNamespace, tenantMetaProducts, tenantMetaProducts+n, "annotated", true) {
			more = append(more, annotate(p))
		}
		b.applyAll(ctx, t, more)
		b.waitReady(ctx, t, tenantMetaNamespace, false, tenantMetaProducts+n, timeoutFor(n))
		b.quiet(t)
		proc2 := mustReadProc(t, pid)
		m.productsHWMKB, m.productsKB = proc2.hwmKB, proc2.rssKB
		m.restarted = b.env.ManagerPID() != pid
	}
	b.results.tenantMeta = &m
	b.addReport(t, "## A tenant's annotations (250 KB on each object)\n\n"+
		"| annotated | live heap growth | RSS growth | then %d more annotated IoTProducts: peak RSS | RSS | the manager restarted |\n|---|---|---|---|---|---|\n"+
		"| %d ConfigMaps, %d Secrets, %d IoTProducts (%.0f MB) | %.1f MiB | %.1f MiB | %.0f MiB | %.0f MiB | %s |\n",
		m.products, tenantMetaConfigMaps, tenantMetaSecrets, tenantMetaProducts, m.annotatedMB, m.heapGrowth/(1<<20), float64(m.rssGrowthKB)/1024,
		float64(m.productsHWMKB)/1024, float64(m.productsKB)/1024, yes(m.restarted))

	b.kubectlDeleteAll(t, "iotproducts", tenantMetaNamespace)
	b.waitGone(ctx, t, tenantMetaNamespace, iotGVK, func() bool { return b.productsWithPrefix("annotated") == 0 }, timeoutFor(tenantMetaProducts+m.products))
}

// settledHeap is the least of a few readings of the manager's live heap, a second apart: the
// objects it holds, without what a reconcile still in flight holds for a moment.
func (b *bench) settledHeap(t *testing.T) float64 {
	least := 0.0
	for i := range tenantMetaSettledReads {
		if v := b.liveHeap(t); i == 0 || v < least {
			least = v
		}
	}
	return least
}

func mustReadProc(t *testing.T, pid int) procStats {
	t.Helper()
	s, err := readProc(pid)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
