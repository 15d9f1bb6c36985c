package engine

import (
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// The credentials controller looks at a Secret only after an event that may have freed it:
// every other write of a resource (its finalizer being taken, its status, its identity) would
// otherwise make it look again at a Secret that thousands of resources share.
func TestCredentialsControllerWakesOnlyWhenASecretMayHaveLostAUser(t *testing.T) {
	product := func(secret string, held bool, status string) *v1alpha1.IoTProduct {
		p := &v1alpha1.IoTProduct{}
		p.Name, p.Namespace = "p", "ns"
		if secret != "" {
			p.Spec.CredentialsSecretRef = &v1alpha1.SecretReference{Name: secret}
		}
		if held {
			p.Finalizers = []string{v1alpha1.Finalizer}
		}
		p.Status.ProductStatus = status
		return p
	}
	tests := []struct {
		name     string
		old, new *v1alpha1.IoTProduct
		want     bool
	}{
		{"takes its finalizer", product("s", false, ""), product("s", true, ""), false},
		{"status written", product("s", true, ""), product("s", true, "DEVELOPMENT_STATUS"), false},
		{"releases its finalizer", product("s", true, ""), product("s", false, ""), true},
		{"switches to another Secret", product("s", true, ""), product("t", true, ""), true},
		{"stops naming a Secret", product("s", true, ""), product("", true, ""), true},
	}
	p := mayFreeSecret()
	for _, tt := range tests {
		if got := p.Update(event.UpdateEvent{ObjectOld: tt.old, ObjectNew: tt.new}); got != tt.want {
			t.Errorf("%s: woken = %v, want %v", tt.name, got, tt.want)
		}
	}
	if !p.Create(event.CreateEvent{Object: product("s", true, "")}) {
		t.Error("a resource holding the finalizer, seen as a manager starts, does not wake it")
	}
	if p.Create(event.CreateEvent{Object: product("s", false, "")}) {
		t.Error("a new resource without the finalizer wakes it")
	}
	if !p.Delete(event.DeleteEvent{Object: product("s", true, "")}) {
		t.Error("a deletion does not wake it")
	}
}
