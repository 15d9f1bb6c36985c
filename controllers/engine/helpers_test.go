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
