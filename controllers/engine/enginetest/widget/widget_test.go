package widget_test

import (
	"os"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine/enginetest"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine/enginetest/widget"
)

// The test-only platform is registered where a real one is: in the list of kinds the
// engine's shared parts read.
func TestMain(m *testing.M) {
	v1alpha1.Kinds = append(v1alpha1.Kinds, widget.Kind)
	os.Exit(m.Run())
}

// Widgets, a platform the engine has never heard of, keep the engine's whole contract.
func TestWidgetsKeepTheEngineContract(t *testing.T) {
	platform := widget.NewPlatform(map[string]string{"good-token": "acme"})
	enginetest.Run(t, enginetest.Kit[*widget.Widget, engine.NoPlan]{
		Kind:        widget.Kind,
		AddToScheme: widget.AddToScheme,
		Connector:   widget.Connector{Platform: platform},
		Noun:        "widget",
		New: func(namespace, name, id string) *widget.Widget {
			return &widget.Widget{
				ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
				Spec: widget.Spec{Name: name, Colour: "blue", ID: id,
					CredentialsSecretRef: &v1alpha1.SecretReference{Name: enginetest.SecretName}},
			}
		},
		Credentials: map[string][]byte{widget.SecretKeyToken: []byte("good-token")},
		Refused:     map[string][]byte{widget.SecretKeyToken: []byte("revoked-token")},
		ChangeSpec:  func(w *widget.Widget) { w.Spec.Colour = "green" },
		Platform:    &probe{platform},
		Reset:       platform.Reset,
	})
}

// probe reads and disturbs the Widget platform for the suite.
type probe struct{ p *widget.Platform }

func (x *probe) Exists(id string) bool { _, ok := x.p.Widgets()[id]; return ok }

func (x *probe) Writes(verb enginetest.Verb) int {
	n := 0
	for _, c := range x.p.Calls() {
		if c.Action == string(verb) {
			n++
		}
	}
	return n
}

func (x *probe) MakeOutside(obj engine.Managed) string {
	w := obj.(*widget.Widget)
	return x.p.Add("acme", w.Spec.Name, w.Spec.Colour).ID
}

func (x *probe) Drift(id string) {
	w := x.p.Widgets()[id]
	x.p.Change(id, w.Name, "painted-over")
}

func (x *probe) Remove(id string)                    { x.p.Remove(id) }
func (x *probe) LoseNextAnswer(verb enginetest.Verb) { x.p.LoseAnswer(string(verb)) }
