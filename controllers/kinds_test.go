package controllers_test

import (
	"testing"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
	"github.com/prodlife/product-lifecycle-operator/internal/metrics"
)

// The shared parts read v1alpha1.Kinds; what each kind must bring to them is checked here, so
// a kind added to the list without it fails at once.
func TestEveryKindHasWhatTheSharedPartsNeed(t *testing.T) {
	if len(v1alpha1.Kinds) == 0 {
		t.Fatal("v1alpha1.Kinds is empty")
	}
	for _, k := range v1alpha1.Kinds {
		if len(k.CredentialKeys) == 0 {
			t.Errorf("%s: no credentials Secret keys (api/v1alpha1/kinds.go CredentialKeys)", k.Name)
		}
		if got := metrics.KindOf(k.New()); got != k.Name {
			t.Errorf("%s: its objects are counted in the metrics as kind %q", k.Name, got)
		}
		if _, ok := k.New().(engine.Managed); !ok {
			t.Errorf("%s does not implement engine.Managed", k.Name)
		}
	}
}
