package envtest

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/pkg/prodlifetest"
)

// Deleting an IoTProduct deletes the product on the platform with one DeleteProduct call.
func TestDeletingAnIoTProductCallsDeleteProductOnce(t *testing.T) {
	t.Parallel()
	env := prodlifetest.Start(t, prodlifetest.Options{}) // in its own namespace, env.Namespace
	p := &v1alpha1.IoTProduct{
		ObjectMeta: metav1.ObjectMeta{Namespace: env.Namespace, Name: "thermostat"},
		Spec: v1alpha1.IoTProductSpec{ProductName: "thermostat", Region: "cn-shanghai",
			CredentialsSecretRef: &v1alpha1.SecretReference{Name: prodlifetest.AlibabaSecretName}},
	}
	if err := env.Client.Create(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	env.WaitForCondition(t, p, "Ready", metav1.ConditionTrue)
	if err := env.Client.Delete(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	env.WaitForDeletion(t, p)
	if calls := env.Alibaba.Calls("DeleteProduct"); len(calls) != 1 || calls[0].Code != "OK" {
		t.Errorf("DeleteProduct calls: %+v, want one answered OK", calls)
	}
}
