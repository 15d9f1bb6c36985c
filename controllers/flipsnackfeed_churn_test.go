package controllers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// A tenant who changes only the metadata of the ConfigMaps her feeds read (labels,
// annotations, as often as she likes) costs the manager one read of each new version, shared
// by every feed that reads it, and no push: 4 feeds reading the same 3 ConfigMaps, annotated
// in 3 rounds, make at most 3 × 3 reads (each feed reading each ConfigMap again would make
// 36 or more), and the feeds stay Ready with nothing sent to the platform.
func TestMetadataChurnOnConfigMapsCostsOneReadPerVersion(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	ctx := context.Background()
	var sources []v1alpha1.ProductsSource
	var maps []string
	for i := range 3 {
		name := fmt.Sprintf("catalogue-%d", i)
		sources = append(sources, catalogueConfigMap(t, ns, name, fmt.Sprintf("CHURN%d", i), 50))
		maps = append(maps, name)
	}
	var feeds []*v1alpha1.FlipsnackFeed
	for i := range 4 {
		f := newFeed(ns, fmt.Sprintf("churn-%d", i), func(f *v1alpha1.FlipsnackFeed) { f.Spec.Products = nil; f.Spec.ProductsFrom = sources })
		must(t, k8s.Create(ctx, f))
		feeds = append(feeds, f)
	}
	for _, f := range feeds {
		waitCondition(t, f, v1alpha1.ConditionReady, metav1.ConditionTrue, "")
	}
	hashes := map[string]bool{}
	for _, f := range feeds {
		hashes[f.Status.SourceHash] = true
	}
	pushesBefore := feedPushes(hashes)
	readsBefore := settledReads(t, ns)

	const rounds = 3
	for round := range rounds {
		for _, name := range maps {
			cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
			patch := fmt.Sprintf(`{"metadata":{"annotations":{"churn":"%d"}}}`, round)
			must(t, k8s.Patch(ctx, cm, client.RawPatch("application/merge-patch+json", []byte(patch))))
		}
		// Every feed has seen this round's versions: each of them was read at least once.
		want := readsBefore + (round+1)*len(maps)
		eventually(t, fmt.Sprintf("round %d read", round), func() string {
			if got := configMapReads.inNamespace(ns); got < want {
				return fmt.Sprintf("%d reads, want %d", got, want)
			}
			return ""
		})
	}
	if reads := settledReads(t, ns) - readsBefore; reads > rounds*len(maps) {
		t.Errorf("%d reads of the ConfigMaps for %d rounds of metadata changes to %d ConfigMaps read by %d feeds; want at most one per new version (%d)",
			reads, rounds, len(maps), len(feeds), rounds*len(maps))
	}
	if pushes := feedPushes(hashes) - pushesBefore; pushes != 0 {
		t.Errorf("%d calls to the platform for metadata changes only, want none", pushes)
	}
	for _, f := range feeds {
		must(t, k8s.Get(ctx, client.ObjectKeyFromObject(f), f))
		if c := condition(f, v1alpha1.ConditionReady); c == nil || c.Status != metav1.ConditionTrue || f.Status.ProductsPushed != 150 {
			t.Errorf("feed %s: Ready %+v, %d products pushed; want Ready with 150", f.Name, c, f.Status.ProductsPushed)
		}
	}
}

// settledReads is the count of ns's ConfigMap reads once it has not moved for a second:
// the feeds' reconciles under way are done.
func settledReads(t *testing.T, ns string) int {
	t.Helper()
	last := configMapReads.inNamespace(ns)
	for range 30 {
		time.Sleep(time.Second)
		now := configMapReads.inNamespace(ns)
		if now == last {
			return now
		}
		last = now
	}
	t.Fatalf("the ConfigMaps of %s are still being read after 30 s", ns)
	return 0
}

// feedPushes counts the calls made for the feeds of these sourceHashes.
func feedPushes(hashes map[string]bool) int {
	n := 0
	for _, c := range fsSim.Calls() {
		if hashes[c.Params["sourceHash"]] {
			n++
		}
	}
	return n
}
