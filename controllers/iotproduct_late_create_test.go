package controllers_test

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

// An earlier create whose answer was lost may land on the platform late: after the lookup
// that precedes the retry, and before the retried CreateProduct, which then finds the name
// taken. Under our own create-pending mark that product is ours: it is adopted, never
// abandoned as a name conflict (which would leave it on the platform untracked).
func TestIoTProductCreateThatLandsLateIsAdoptedNotAConflict(t *testing.T) {
	ns := newNamespace(t)
	p := newProduct(ns, "late")
	// The state after a create whose answer was lost: our mark, nothing on the platform yet.
	p.Annotations = map[string]string{v1alpha1.CreatePendingAnnotation: time.Now().UTC().Format(time.RFC3339)}
	p.Finalizers = []string{v1alpha1.Finalizer}
	// The retried create is slow, and the late product lands while it is on its way.
	must(t, iotSim.SetFaults(alibabaiot.Faults{"CreateProduct": {LatencyMs: 2000, Count: 1}}))
	defer iotSim.ClearFaults()
	lookups := len(iotSim.Calls("QueryProductList"))
	must(t, k8s.Create(context.Background(), p))

	eventually(t, "the lookup before the retried create", func() string {
		if len(iotSim.Calls("QueryProductList")) == lookups {
			return "no QueryProductList yet"
		}
		return ""
	})
	late, err := iotSim.AddProduct(alibabaiot.Product{ProductName: p.Spec.ProductName, Owner: alibabaKeyID})
	must(t, err)

	waitCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionTrue, "")
	if p.Status.ProductKey != late.ProductKey {
		t.Fatalf("status.productKey %q, want the product the earlier create made, %q", p.Status.ProductKey, late.ProductKey)
	}
	if n := len(productsNamed(p.Spec.ProductName)); n != 1 {
		t.Fatalf("%d products named %s, want 1", n, p.Spec.ProductName)
	}
	waitEvent(t, p, "Adopted", late.ProductKey)
}
