package engine_test

import (
	"testing"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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
