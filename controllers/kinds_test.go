package controllers_test

import (
	"slices"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers"
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

// Every kind of the API belongs to exactly one platform of the registry, which names its
// controller (the metrics' controller label) once.
func TestEveryKindBelongsToOnePlatform(t *testing.T) {
	platformOf := map[string]string{}
	controllerOf := map[string]string{}
	for _, p := range controllers.Platforms {
		if p.NewSetup == nil {
			t.Errorf("platform %s has no NewSetup", p.Name)
		}
		if p.BindFlags == nil {
			t.Errorf("platform %s has no BindFlags", p.Name)
		}
		for _, k := range p.Kinds {
			if other, ok := platformOf[k.Name]; ok {
				t.Errorf("%s belongs to both %s and %s", k.Name, other, p.Name)
			}
			platformOf[k.Name] = p.Name
			if other, ok := controllerOf[k.Controller]; ok || k.Controller == "" || k.Controller == "credentials" {
				t.Errorf("%s: controller name %q is empty or taken (by %s)", k.Name, k.Controller, other)
			}
			controllerOf[k.Controller] = k.Name
			if k.ShareStrings == nil {
				t.Errorf("%s has no ShareStrings", k.Name)
			}
			if !slices.ContainsFunc(v1alpha1.Kinds, func(a v1alpha1.Kind) bool { return a.Name == k.Name }) {
				t.Errorf("platform %s names kind %s, which v1alpha1.Kinds does not list", p.Name, k.Name)
			}
		}
	}
	for _, k := range v1alpha1.Kinds {
		if platformOf[k.Name] == "" {
			t.Errorf("%s belongs to no platform of controllers.Platforms", k.Name)
		}
	}
}
