package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// A tenant who keeps changing the metadata of the ConfigMaps her feeds read (labels and
// annotations are hers to write) must not cost the manager a parse of each catalogue for
// every feed: the ConfigMaps' content did not change, so neither did any plan.
const (
	churnNamespace  = "bench-churn"
	churnRounds     = 3
	churnSKUsPerMap = 500 // with their descriptions, about 450 KB a ConfigMap
	goalChurnCPU    = 2 * time.Second
)

// churn is the measurement of the metadata-only changes.
type churn struct {
	maps, feeds, rounds int
	mapBytes            int
	cpu                 time.Duration
	calls               int // platform calls made meanwhile (none expected)
}

// metadataChurn creates cfg.churnMaps ConfigMaps of about 450 KB, read each by every one of
// cfg.churnFeeds feeds, waits until all are Ready, then annotates every ConfigMap churnRounds
// times and measures the manager's CPU until it is quiet again. The feeds are deleted after.
func (b *bench) metadataChurn(ctx context.Context, t *testing.T) {
	b.namespace(ctx, t, churnNamespace)
	b.flipsnackSecrets(ctx, t, churnNamespace)
	var objs []*unstructured.Unstructured
	var sources []any
	size := 0
	for i := range b.cfg.churnMaps {
		name := fmt.Sprintf("catalogue-%02d", i)
		data := churnProducts(i)
		size = len(data)
		objs = append(objs, toUnstructured(t, &corev1.ConfigMap{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: churnNamespace},
			Data:       map[string]string{"products.json": data},
		}))
		sources = append(sources, map[string]any{"configMap": map[string]any{"name": name, "key": "products.json"}})
	}
	b.applyAll(ctx, t, objs)
	onPlatform := b.feedsOnPlatform()
	objs = nil
	for i := range b.cfg.churnFeeds {
		objs = append(objs, object("FlipsnackFeed", churnNamespace, fmt.Sprintf("reader-%02d", i), map[string]any{
			"credentialsSecretRef": map[string]any{"name": fmt.Sprintf("flipsnack-%02d", i%len(b.flipKeys))},
			"productsFrom":         sources,
		}))
	}
	b.applyAll(ctx, t, objs)
	skus := b.cfg.churnFeeds * b.cfg.churnMaps * churnSKUsPerMap
	b.waitReady(ctx, t, churnNamespace, true, b.cfg.churnFeeds, timeoutFor(skus/flipMaxSKUs*12))
	b.quiet(t)

	b.flipsnack.ClearCalls()
	before := b.managerCPU(t)
	for round := range churnRounds {
		for i := range b.cfg.churnMaps {
			cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: churnNamespace, Name: fmt.Sprintf("catalogue-%02d", i)}}
			patch := fmt.Sprintf(`{"metadata":{"annotations":{"example.com/churn":"%d"}}}`, round)
			if err := b.cl.Patch(ctx, cm, client.RawPatch("application/merge-patch+json", []byte(patch))); err != nil {
				t.Fatal(err)
			}
		}
		b.quiet(t)
	}
	c := churn{maps: b.cfg.churnMaps, feeds: b.cfg.churnFeeds, rounds: churnRounds, mapBytes: size,
		cpu: b.managerCPU(t) - before, calls: len(b.flipsnack.Calls())}
	b.results.churn = &c
	b.addReport(t, "## Metadata-only changes to the feeds' ConfigMaps\n\n"+
		"| ConfigMaps | bytes each | feeds, each reading every ConfigMap | rounds (every ConfigMap annotated) | manager CPU | platform calls |\n|---|---|---|---|---|---|\n"+
		"| %d | %d | %d | %d | %s | %d |\n", c.maps, c.mapBytes, c.feeds, c.rounds, secs(c.cpu), c.calls)

	b.kubectlDeleteAll(t, "flipsnackfeeds", churnNamespace)
	b.waitGone(ctx, t, churnNamespace, feedGVK, func() bool { return b.feedsOnPlatform() == onPlatform }, timeoutFor(skus/flipMaxSKUs*12))
}

// quiet waits until the manager spends less than 2% of a core over a second: what the last
// change set in motion is done.
func (b *bench) quiet(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	last := b.managerCPU(t)
	for time.Now().Before(deadline) {
		time.Sleep(time.Second)
		now := b.managerCPU(t)
		if now-last < 20*time.Millisecond {
			return
		}
		last = now
	}
	t.Fatal("the manager is still busy after 5 minutes")
}

// churnProducts is the catalogue of ConfigMap i: churnSKUsPerMap products with descriptions
// of about 850 characters.
func churnProducts(i int) string {
	description := strings.Repeat("Soft organic cotton, pre-washed, relaxed fit. ", 18)
	products := make([]map[string]any, churnSKUsPerMap)
	for j := range products {
		products[j] = map[string]any{
			"type": "product", "code": fmt.Sprintf("C%02d-SKU-%04d", i, j), "title": fmt.Sprintf("Churn product %d", j),
			"description": description, "sell_price": "19.90", "currency": "EUR",
		}
	}
	raw, _ := json.Marshal(products)
	return string(raw)
}
