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
