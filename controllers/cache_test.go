package controllers_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// cachedKinds records what the suite manager's cache was asked to hold: "Secret" for Secrets
// in full, "Secret metadata" for their metadata only.
var cachedKinds = struct {
	sync.Mutex
	seen map[string]bool
}{seen: map[string]bool{}}

func noteCached(obj runtime.Object) {
	name := fmt.Sprintf("%T", obj)
	if m, ok := obj.(*metav1.PartialObjectMetadata); ok {
		name = m.Kind + " metadata"
	}
	if m, ok := obj.(*metav1.PartialObjectMetadataList); ok {
		name = m.Kind + " metadata"
	}
	cachedKinds.Lock()
	cachedKinds.seen[name] = true
	cachedKinds.Unlock()
}

// managerCache is the suite manager's cache, for tests that wait until it sees a change.
var managerCache cache.Cache

func newRecordingCache(config *rest.Config, opts cache.Options) (cache.Cache, error) {
	c, err := cache.New(config, opts)
	managerCache = c
	return recordingCache{Cache: c}, err
}

// recordingCache notes every kind the manager asks its cache for, through reads or watches.
type recordingCache struct{ cache.Cache }

func (c recordingCache) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	noteCached(obj)
	return c.Cache.Get(ctx, key, obj, opts...)
}

func (c recordingCache) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	noteCached(list)
	return c.Cache.List(ctx, list, opts...)
}

func (c recordingCache) GetInformer(ctx context.Context, obj client.Object, opts ...cache.InformerGetOption) (cache.Informer, error) {
	noteCached(obj)
	return c.Cache.GetInformer(ctx, obj, opts...)
}

// Every tenant's Secrets and ConfigMaps would otherwise sit in the manager's memory: the
// manager watches their metadata only and reads the few a resource names from the API server.
func TestTheManagerNeverCachesSecretsOrConfigMapsInFull(t *testing.T) {
	ctx := context.Background()
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	readyProduct(t, ns, "cached")
	must(t, k8s.Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "more"},
		Data:       map[string]string{"products.json": `[{"type":"product","code":"SKU-9","title":"Bowl"}]`},
	}))
	f := newFeed(ns, "cached", func(f *v1alpha1.FlipsnackFeed) {
		f.Spec.ProductsFrom = []v1alpha1.ProductsSource{{ConfigMap: v1alpha1.ConfigMapProducts{Name: "more", Key: "products.json"}}}
	})
	must(t, k8s.Create(ctx, f))
	waitCondition(t, f, v1alpha1.ConditionReady, metav1.ConditionTrue, "Available")

	cachedKinds.Lock()
	defer cachedKinds.Unlock()
	for _, full := range []string{"*v1.Secret", "*v1.SecretList", "*v1.ConfigMap", "*v1.ConfigMapList"} {
		if cachedKinds.seen[full] {
			t.Errorf("the manager's cache was asked for %s in full; it asked for %v", full, keys(cachedKinds.seen))
		}
	}
	for _, meta := range []string{"Secret metadata", "ConfigMap metadata"} {
		if !cachedKinds.seen[meta] {
			t.Errorf("the manager does not watch %s (the watches that unblock resources); it asked for %v", meta, keys(cachedKinds.seen))
		}
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// The cache keeps of a tenant's metadata only what the operator reads: of its own kinds, its
// own annotations (prodlife.dev/...), not what a client-side `kubectl apply` stores in the
// last-applied annotation (the whole object, a Secret's data included), other annotations or
// labels; of the objects it watches by their metadata only, neither annotations nor labels. A
// tenant's annotations (up to 256 KiB an object) would otherwise sit in the manager's memory.
// The operator's writes leave all of them on the objects.
func TestTheCacheKeepsNoneOfTheTenantsAnnotationsAndTheWritesKeepThemAll(t *testing.T) {
	ctx := context.Background()
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	applied := map[string]string{"kubectl.kubernetes.io/last-applied-configuration": `{"data":{"apiSecret":"c2VjcmV0"}}`, "team": "a"}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "annotated", Annotations: applied, Labels: map[string]string{"app": "x"}}}
	must(t, k8s.Create(ctx, cm))
	p, _ := readyProduct(t, ns, "applied", func(p *v1alpha1.IoTProduct) {
		p.Annotations = map[string]string{"kubectl.kubernetes.io/last-applied-configuration": `{"spec":{}}`, "team": "a"}
		p.Labels = map[string]string{"app": "x"}
	})

	eventually(t, "the ConfigMap's metadata in the cache", func() string {
		got := &metav1.PartialObjectMetadata{}
		got.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("ConfigMap"))
		if err := managerCache.Get(ctx, client.ObjectKeyFromObject(cm), got); err != nil {
			return err.Error()
		}
		if len(got.Annotations) > 0 || len(got.Labels) > 0 {
			return fmt.Sprintf("the cached ConfigMap metadata keeps annotations %v and labels %v", got.Annotations, got.Labels)
		}
		return ""
	})
	cached := &v1alpha1.IoTProduct{}
	must(t, managerCache.Get(ctx, client.ObjectKeyFromObject(p), cached))
	if len(cached.Annotations) != 1 || cached.Annotations[v1alpha1.ExternalIDAnnotation] == "" || len(cached.Labels) != 0 {
		t.Errorf("cached IoTProduct annotations %v, labels %v: want the operator's external-id alone", cached.Annotations, cached.Labels)
	}
	live := &v1alpha1.IoTProduct{}
	must(t, k8s.Get(ctx, client.ObjectKeyFromObject(p), live))
	if _, ok := live.Annotations["kubectl.kubernetes.io/last-applied-configuration"]; !ok || live.Annotations["team"] != "a" || live.Labels["app"] != "x" {
		t.Errorf("the operator's writes removed the tenant's metadata from the object: annotations %v, labels %v", live.Annotations, live.Labels)
	}
}
