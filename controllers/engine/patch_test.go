package engine

import (
	"context"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// The cached copy of a resource holds the operator's annotations only; a metadata patch made
// from it changes exactly the keys the engine changed. Removing the last annotation the cache
// shows leaves kubectl's last-applied copy and the tenant's own annotations on the server.
func TestMetadataPatchKeepsWhatTheCacheDoesNotShow(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	stored := &v1alpha1.IoTProduct{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "door",
		Annotations: map[string]string{
			v1alpha1.CreatePendingAnnotation:                   "2026-12-07T00:00:00Z",
			"kubectl.kubernetes.io/last-applied-configuration": `{"spec":{}}`,
			"team-a.example.com/owner":                         "ops",
		},
		Labels: map[string]string{"app": "door"}}}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(stored).Build()
	ctx := context.Background()

	cached := &v1alpha1.IoTProduct{}
	if err := c.Get(ctx, client.ObjectKeyFromObject(stored), cached); err != nil {
		t.Fatal(err)
	}
	if _, err := StripUnread(func(any) {})(cached); err != nil {
		t.Fatal(err)
	}
	if len(cached.Annotations) != 1 || len(cached.Labels) != 0 {
		t.Fatalf("the cached copy keeps %v and labels %v; want the operator's annotation only", cached.Annotations, cached.Labels)
	}
	if err := patchMetadata(ctx, c, cached, func(o *v1alpha1.IoTProduct) {
		removeAnnotation(o, v1alpha1.CreatePendingAnnotation)
		o.Finalizers = append(o.Finalizers, v1alpha1.Finalizer)
	}); err != nil {
		t.Fatal(err)
	}
	after := &v1alpha1.IoTProduct{}
	if err := c.Get(ctx, client.ObjectKeyFromObject(stored), after); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"kubectl.kubernetes.io/last-applied-configuration": `{"spec":{}}`, "team-a.example.com/owner": "ops"}
	if len(after.Annotations) != 2 || after.Annotations["team-a.example.com/owner"] != "ops" ||
		after.Annotations["kubectl.kubernetes.io/last-applied-configuration"] != want["kubectl.kubernetes.io/last-applied-configuration"] ||
		after.Labels["app"] != "door" || len(after.Finalizers) != 1 {
		t.Errorf("stored after the patch: annotations %v, labels %v, finalizers %v; want %v, the label and the finalizer",
			after.Annotations, after.Labels, after.Finalizers, want)
	}
	if cached.ResourceVersion != after.ResourceVersion {
		t.Errorf("the cached copy is at resourceVersion %s, the server at %s", cached.ResourceVersion, after.ResourceVersion)
	}

	// A stale copy is refused (optimistic lock), never written over the newer object.
	stale := cached.DeepCopy()
	stale.ResourceVersion = "1"
	err := patchMetadata(ctx, c, stale, func(o *v1alpha1.IoTProduct) { o.Finalizers = nil })
	if err == nil || !strings.Contains(err.Error(), "conflict") && !strings.Contains(strings.ToLower(err.Error()), "modified") {
		t.Errorf("a patch from a stale copy: %v; want a conflict", err)
	}
}
