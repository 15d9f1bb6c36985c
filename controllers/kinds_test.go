package controllers_test

import (
	"testing"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers"
	"github.com/prodlife/product-lifecycle-operator/internal/metrics"
)

// The shared parts read v1alpha1.Kinds; what each kind must bring to them is checked here, so
// a kind added to the list without it fails at once.
func TestEveryKindHasWhatTheSharedPartsNeed(t *testing.T) {
	if len(v1alpha1.Kinds) == 0 {
		t.Fatal("v1alpha1.Kinds is empty")
	}
	for _, k := range v1alpha1.Kinds {
		if len(controllers.CredentialKeys[k.Name]) == 0 {
			t.Errorf("%s: no credentials Secret keys (controllers/credentials.go credentialKeys)", k.Name)
		}
		if got := metrics.KindOf(k.New()); got != k.Name {
			t.Errorf("%s: its objects are counted in the metrics as kind %q", k.Name, got)
		}
		if _, ok := k.New().(controllers.Managed); !ok {
			t.Errorf("%s does not implement controllers.Managed", k.Name)
		}
	}
	if len(controllers.CredentialKeys) != len(v1alpha1.Kinds) {
		t.Errorf("credentialKeys names %d kinds, v1alpha1.Kinds %d", len(controllers.CredentialKeys), len(v1alpha1.Kinds))
	}
}
