package faults

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/internal/devenv"
)

// scenarioLabel marks every object a scenario creates, so it lists exactly its own.
const scenarioLabel = "faults.prodlife.dev/scenario"

// batch is what one scenario creates, spread over its namespaces.
type batch struct {
	iot   []*v1alpha1.IoTProduct
	feeds []*v1alpha1.FlipsnackFeed
}

// newBatch declares iotCount products and feedCount feeds, dealt round-robin over namespaces.
// Product names carry the scenario (unique on the platform across scenarios); feed sizes are
// drawn between the scale's bounds.
func newBatch(rng *rand.Rand, scenario string, namespaces []string, iotCount, feedCount, minSKUs, maxSKUs int) *batch {
	b := &batch{}
	for i := range iotCount {
		b.iot = append(b.iot, &v1alpha1.IoTProduct{
			ObjectMeta: objectMeta(namespaces[i%len(namespaces)], fmt.Sprintf("%s-sensor-%04d", scenario, i), scenario),
			Spec: v1alpha1.IoTProductSpec{
				ProductName:          fmt.Sprintf("%s_sensor_%04d", scenario, i),
				Description:          "fault-injection suite",
				Region:               "cn-shanghai",
				CredentialsSecretRef: &v1alpha1.SecretReference{Name: devenv.AlibabaSecretName},
			},
		})
	}
	for i := range feedCount {
		skus := minSKUs + rng.IntN(maxSKUs-minSKUs+1)
		f := &v1alpha1.FlipsnackFeed{
			ObjectMeta: objectMeta(namespaces[i%len(namespaces)], fmt.Sprintf("%s-catalogue-%02d", scenario, i), scenario),
			Spec: v1alpha1.FlipsnackFeedSpec{
				CredentialsSecretRef: v1alpha1.SecretReference{Name: devenv.FlipsnackSecretName},
			},
		}
		for j := range skus {
			f.Spec.Products = append(f.Spec.Products, v1alpha1.FeedProduct{
				Code: fmt.Sprintf("%s-%02d-SKU-%04d", scenario, i, j), Type: "product",
				Title: fmt.Sprintf("Item %d of catalogue %d", j, i), SellPrice: fmt.Sprintf("%d.90", 5+j%50), Currency: "EUR",
			})
		}
		b.feeds = append(b.feeds, f)
	}
	return b
}

func objectMeta(namespace, name, scenario string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: namespace, Name: name, Labels: map[string]string{scenarioLabel: scenario}}
}

func (b *batch) objects() []client.Object {
	var out []client.Object
	for _, p := range b.iot {
		out = append(out, p)
	}
	for _, f := range b.feeds {
		out = append(out, f)
	}
	return out
}

func (b *batch) size() int { return len(b.iot) + len(b.feeds) }

// createNamespaces makes each namespace with the credentials Secrets the objects name.
func (s *suite) createNamespaces(t *testing.T, ctx context.Context, names ...string) {
	t.Helper()
	for _, ns := range names {
		if err := s.kube.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			t.Fatalf("creating namespace %s: %v", ns, err)
		}
		if err := s.env.CreateCredentials(ctx, ns); err != nil {
			t.Fatal(err)
		}
	}
}

// create creates every object of the batch.
func (s *suite) create(t *testing.T, ctx context.Context, b *batch) {
	t.Helper()
	for _, obj := range b.objects() {
		if err := s.kube.Create(ctx, obj); err != nil {
			t.Fatalf("creating %T %s/%s: %v", obj, obj.GetNamespace(), obj.GetName(), err)
		}
	}
}

// deleteAll asks the API server to delete each object.
func (s *suite) deleteAll(t *testing.T, ctx context.Context, objects []client.Object) {
	t.Helper()
	for _, obj := range objects {
		if err := s.kube.Delete(ctx, obj); err != nil {
			t.Fatalf("deleting %s %s: %v", kindOf(obj), key(obj), err)
		}
	}
}

func (b *batch) skus() int {
	n := 0
	for _, f := range b.feeds {
		n += len(f.Spec.Products)
	}
	return n
}

// namespaceGone reports whether the namespace is deleted, after its objects.
func (s *suite) namespaceGone(t *testing.T, ctx context.Context, name string) bool {
	t.Helper()
	err := s.kube.Get(ctx, client.ObjectKey{Name: name}, &corev1.Namespace{})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatalf("reading namespace %s: %v", name, err)
	}
	return apierrors.IsNotFound(err)
}
