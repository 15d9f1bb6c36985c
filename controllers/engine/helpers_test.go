package engine_test

import (
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func condition(obj interface{ GetCommonStatus() *v1alpha1.CommonStatus }, condType string) *metav1.Condition {
	return meta.FindStatusCondition(obj.GetCommonStatus().Conditions, condType)
}

// productBeingDeleted is an IoTProduct with a recorded product, being deleted, on the
// operator's own credentials.
func productBeingDeleted() *v1alpha1.IoTProduct {
	now := metav1.Now()
	p := &v1alpha1.IoTProduct{ObjectMeta: metav1.ObjectMeta{
		Namespace: "shop", Name: "sensor", UID: "uid-1", DeletionTimestamp: &now, Finalizers: []string{v1alpha1.Finalizer},
		Annotations: map[string]string{v1alpha1.ExternalIDAnnotation: "a1Key"},
	}}
	p.Spec.ProductName = "sensor"
	p.Spec.CredentialsSecretRef = nil
	return p
}

// deletingEngine is an IoTProduct engine on the operator's own credentials (as for a
// namespace an administrator allows) that reads the CRD through reader, as the deletion tests
// need; a test sets what else it watches (Recorder).
func deletingEngine(c client.Client, reader client.Reader, platform engine.Connector[*v1alpha1.IoTProduct, engine.NoPlan]) *engine.Engine[*v1alpha1.IoTProduct, engine.NoPlan] {
	return &engine.Engine[*v1alpha1.IoTProduct, engine.NoPlan]{
		Client: c, APIReader: reader, CRDName: "iotproducts.prodlife.dev", Noun: "product",
		NewObject:            func() *v1alpha1.IoTProduct { return &v1alpha1.IoTProduct{} },
		NewList:              func() client.ObjectList { return &v1alpha1.IoTProductList{} },
		MayUseOwnCredentials: func(string) bool { return true },
		Connector:            platform, SlowRetry: time.Minute,
	}
}

// ownPollInterval is a product's spec.pollInterval, 0 when it sets none (as the IoTProduct
// controller reads it).
func ownPollInterval(p *v1alpha1.IoTProduct) time.Duration {
	if p.Spec.PollInterval == nil {
		return 0
	}
	return p.Spec.PollInterval.Duration
}
