package engine_test

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
)

// The retries of a deletion that failed take the answer of a CRD read of the last few seconds
// instead of reading the CRD again each: during an outage of the platform every deletion
// retries every few seconds. An uninstall begun meanwhile is still seen, once that answer is
// older than the reuse, and the product is then left on the platform.
func TestARetriedDeletionReadsTheCRDAgainOnlyWhenItsLastAnswerIsOld(t *testing.T) {
	ctx := context.Background()
	p := productBeingDeleted()
	crdReads, uninstalling := 0, false
	c := interceptor.NewClient(fakeClient(t, p).(client.WithWatch), interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			if obj.GetObjectKind().GroupVersionKind().Kind == "CustomResourceDefinition" {
				crdReads++
				if uninstalling {
					now := metav1.Now()
					obj.SetDeletionTimestamp(&now)
				}
				return nil
			}
			return c.Get(ctx, key, obj, opts...)
		},
	})
	platform := &failingDelete{code: "ServiceUnavailable"}
	reconciler := deletingEngine(c, c, platform)
	reconciler.Recorder = &eventLog{}
	req := ctrl.Request{NamespacedName: client.ObjectKeyFromObject(p)}
	for range 4 {
		if _, err := reconciler.Reconcile(ctx, req); err == nil {
			t.Fatal("a failed deletion was not retried with backoff")
		}
	}
	if crdReads != 1 || platform.calls != 4 {
		t.Errorf("4 failed attempts: %d CRD reads and %d DeleteProduct calls, want 1 and 4", crdReads, platform.calls)
	}

	// The CRD is deleted (an uninstall) and the last answer is too old to take.
	uninstalling = true
	defer engine.SetCRDReadReuse(0)()
	if _, err := reconciler.Reconcile(ctx, req); err != nil {
		t.Fatal(err)
	}
	if crdReads != 2 || platform.calls != 4 {
		t.Errorf("after the uninstall began: %d CRD reads and %d DeleteProduct calls, want 2 and no more calls", crdReads, platform.calls)
	}
	gone := &v1alpha1.IoTProduct{}
	if err := c.Get(ctx, req.NamespacedName, gone); err == nil && contains(gone.Finalizers, v1alpha1.Finalizer) {
		t.Errorf("finalizers %v: the deletion an uninstall overtook was not let go", gone.Finalizers)
	}
}
