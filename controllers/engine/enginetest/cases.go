package enginetest

import (
	"context"
	"encoding/json"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
)

type contractCase[T engine.Managed, P any] struct {
	name string
	run  func(t *testing.T, h *harness[T, P])
}

// contract is every case of the suite: one user action each, and what it must cost on the
// platform and say in the status.
func contract[T engine.Managed, P any]() []contractCase[T, P] {
	return []contractCase[T, P]{
		{"create: one create, the identity recorded, Ready", func(t *testing.T, h *harness[T, P]) {
			before := h.writes()
			obj := h.create(t, "made", "")
			wantReady(t, obj, metav1.ConditionTrue, engine.ReasonAvailable)
			id := obj.GetAnnotations()[v1alpha1.ExternalIDAnnotation]
			if id == "" || !h.kit.Platform.Exists(id) || obj.GetStatusExternalID() != id {
				t.Errorf("identity %q (status %q): want one that exists on the platform", id, obj.GetStatusExternalID())
			}
			if !hasFinalizer(obj) {
				t.Error("no finalizer on a resource whose product exists")
			}
			if _, pending := obj.GetAnnotations()[v1alpha1.CreatePendingAnnotation]; pending {
				t.Error("the create-pending mark stayed after the identity was recorded")
			}
			h.wantWrites(t, before, map[Verb]int{Create: 1})
			h.wantEvent(t, "made", "Normal "+engine.EventCreated)
			h.wantSecretHeld(t)
		}},
		{"update: a spec change is pushed once", func(t *testing.T, h *harness[T, P]) {
			obj := h.create(t, "changed", "")
			before := h.writes()
			obj = h.update(t, obj, h.kit.ChangeSpec)
			wantReady(t, obj, metav1.ConditionTrue, engine.ReasonAvailable)
			h.wantWrites(t, before, map[Verb]int{Update: 1})
			h.wantEvent(t, "changed", "Normal "+engine.EventUpdated)
		}},
		{"drift: a product changed outside is put back at the next read", func(t *testing.T, h *harness[T, P]) {
			obj := h.create(t, "drifted", "")
			h.kit.Platform.Drift(externalID(obj))
			before := h.writes()
			obj = h.settle(t, obj)
			wantReady(t, obj, metav1.ConditionTrue, engine.ReasonAvailable)
			h.wantWrites(t, before, map[Verb]int{Update: 1})
		}},
		{"lost answer to a create: found again, never made twice", func(t *testing.T, h *harness[T, P]) {
			h.kit.Platform.LoseNextAnswer(Create)
			before := h.writes()
			obj := h.create(t, "lost", "")
			wantReady(t, obj, metav1.ConditionTrue, engine.ReasonAvailable)
			h.wantWrites(t, before, map[Verb]int{Create: 1})
			h.wantEvent(t, "lost", "Normal "+engine.EventAdopted)
		}},
		{"delete: one delete, then the resource goes", func(t *testing.T, h *harness[T, P]) {
			obj := h.create(t, "deleted", "")
			id := externalID(obj)
			before := h.writes()
			if left := h.delete(t, obj); !gone(left) {
				t.Fatalf("the resource stayed: %+v", left.GetCommonStatus().Conditions)
			}
			if h.kit.Platform.Exists(id) {
				t.Errorf("product %s is still on the platform", id)
			}
			h.wantWrites(t, before, map[Verb]int{Delete: 1})
			h.wantEvent(t, "deleted", "Normal Deleted")
		}},
		{"lost answer to a delete: the product gone counts as deleted", func(t *testing.T, h *harness[T, P]) {
			obj := h.create(t, "lostdelete", "")
			id := externalID(obj)
			h.kit.Platform.LoseNextAnswer(Delete)
			if left := h.delete(t, obj); !gone(left) {
				t.Fatalf("the resource stayed: %+v", left.GetCommonStatus().Conditions)
			}
			if h.kit.Platform.Exists(id) {
				t.Errorf("product %s is still on the platform", id)
			}
		}},
		{"orphan: the resource goes, the product stays, no call", func(t *testing.T, h *harness[T, P]) {
			obj := h.create(t, "orphaned", "", orphan[T])
			id := externalID(obj)
			before := h.writes()
			h.deleteLeaving(t, obj, id)
			h.wantWrites(t, before, nil)
			h.wantEvent(t, "orphaned", "Normal Orphaned")
		}},
		{"adopt: a product named in the spec is taken over, not made", func(t *testing.T, h *harness[T, P]) {
			id := h.kit.Platform.MakeOutside(h.kit.New(namespace, "adopted", ""))
			before := h.writes()
			obj := h.create(t, "adopted", id)
			wantReady(t, obj, metav1.ConditionTrue, engine.ReasonAvailable)
			if externalID(obj) != id {
				t.Errorf("recorded %q, want the adopted %q", externalID(obj), id)
			}
			h.wantWrites(t, before, nil)
		}},
		{"observe only: no write, and the product outlives the resource", func(t *testing.T, h *harness[T, P]) {
			id := h.kit.Platform.MakeOutside(h.kit.New(namespace, "observed", ""))
			h.kit.Platform.Drift(id)
			before := h.writes()
			obj := h.create(t, "observed", id, observeOnly[T])
			wantReady(t, obj, metav1.ConditionTrue, engine.ReasonObserved)
			h.deleteLeaving(t, obj, id)
			h.wantWrites(t, before, nil)
		}},
		{"a name taken outside is a conflict, never a takeover", func(t *testing.T, h *harness[T, P]) {
			id := h.kit.Platform.MakeOutside(h.kit.New(namespace, "taken", ""))
			before := h.writes()
			obj := h.create(t, "taken", "")
			wantReady(t, obj, metav1.ConditionFalse, engine.ReasonNameConflict)
			if externalID(obj) != "" {
				t.Errorf("recorded %q: the resource took over %s, which it did not make", externalID(obj), id)
			}
			h.wantWrites(t, before, map[Verb]int{Create: 1})
			h.deleteLeaving(t, obj, id)
		}},
		{"two resources, one product: the second is a conflict and deletes nothing", func(t *testing.T, h *harness[T, P]) {
			first := h.create(t, "first", "")
			id := externalID(first)
			second := h.create(t, "second", id)
			wantReady(t, second, metav1.ConditionFalse, engine.ReasonIdentityConflict)
			before := h.writes()
			h.deleteLeaving(t, second, id)
			h.wantWrites(t, before, nil)
		}},
		{"gone outside: Stalled NotFound, never made again", func(t *testing.T, h *harness[T, P]) {
			obj := h.create(t, "vanished", "")
			h.kit.Platform.Remove(externalID(obj))
			before := h.writes()
			obj = h.settle(t, obj)
			wantReady(t, obj, metav1.ConditionFalse, engine.ReasonNotFound)
			h.wantWrites(t, before, nil)
		}},
		{"credentials missing: Stalled, no call", func(t *testing.T, h *harness[T, P]) {
			h.deleteSecret(t)
			before := h.writes()
			obj := h.create(t, "nocreds", "")
			wantReady(t, obj, metav1.ConditionFalse, engine.ReasonCredentialsError)
			h.wantWrites(t, before, nil)
			if left := h.delete(t, obj); !gone(left) {
				t.Error("a resource that never made a product stayed after its deletion")
			}
		}},
		{"credentials refused: Stalled, nothing made", func(t *testing.T, h *harness[T, P]) {
			h.setSecret(t, h.kit.Refused)
			obj := h.create(t, "refused", "")
			wantReady(t, obj, metav1.ConditionFalse, engine.ReasonCreateFailed)
			if !isStalled(obj) {
				t.Error("refused credentials did not stall the resource")
			}
		}},
		{"a deletion with refused credentials waits, then Orphan lets it go", func(t *testing.T, h *harness[T, P]) {
			obj := h.create(t, "stuck", "")
			id := externalID(obj)
			h.setSecret(t, h.kit.Refused)
			left := h.delete(t, obj)
			if gone(left) {
				t.Fatal("the resource went although its product could not be deleted")
			}
			wantReady(t, left, metav1.ConditionFalse, engine.ReasonDeleteFailed)
			left = h.update(t, left, orphan[T])
			if !gone(left) || !h.kit.Platform.Exists(id) {
				t.Errorf("after deletionPolicy Orphan: gone %v, product there %v; want both", gone(left), h.kit.Platform.Exists(id))
			}
		}},
	}
}

// deleteLeaving deletes obj and fails unless it goes and product id stays on the platform.
func (h *harness[T, P]) deleteLeaving(t *testing.T, obj T, id string) {
	t.Helper()
	if left := h.delete(t, obj); !gone(left) {
		t.Fatalf("the resource stayed: %+v", left.GetCommonStatus().Conditions)
	}
	if !h.kit.Platform.Exists(id) {
		t.Errorf("product %s was deleted with the resource; it must stay", id)
	}
}

func externalID(obj engine.Managed) string {
	return obj.GetAnnotations()[v1alpha1.ExternalIDAnnotation]
}

func isStalled(obj engine.Managed) bool {
	for _, c := range obj.GetCommonStatus().Conditions {
		if c.Type == v1alpha1.ConditionStalled {
			return c.Status == metav1.ConditionTrue
		}
	}
	return false
}

// orphan and observeOnly set a policy through the accessors every kind has: the policies
// are inlined in each spec, so the suite sets them by JSON field.
func orphan[T engine.Managed](obj T) {
	setPolicy(obj, "deletionPolicy", string(v1alpha1.DeletionPolicyOrphan))
}

func observeOnly[T engine.Managed](obj T) {
	setPolicy(obj, "managementPolicy", string(v1alpha1.ManagementPolicyObserveOnly))
}

func (h *harness[T, P]) secret(t *testing.T) *corev1.Secret {
	t.Helper()
	s := &corev1.Secret{}
	if err := h.client.Get(context.Background(), client.ObjectKey{Namespace: namespace, Name: SecretName}, s); err != nil {
		t.Fatal(err)
	}
	return s
}

func (h *harness[T, P]) setSecret(t *testing.T, data map[string][]byte) {
	t.Helper()
	s := h.secret(t)
	s.Data = data
	if err := h.client.Update(context.Background(), s); err != nil {
		t.Fatal(err)
	}
}

func (h *harness[T, P]) deleteSecret(t *testing.T) {
	t.Helper()
	if err := h.client.Delete(context.Background(), h.secret(t)); err != nil {
		t.Fatal(err)
	}
}

// wantSecretHeld fails unless the credentials Secret carries the credentials-in-use
// finalizer, so that a namespace deletion cannot take it before the product is deleted.
func (h *harness[T, P]) wantSecretHeld(t *testing.T) {
	t.Helper()
	if !controllerutil.ContainsFinalizer(h.secret(t), v1alpha1.CredentialsInUseFinalizer) {
		t.Errorf("the credentials Secret is not held (%s) while a product exists", v1alpha1.CredentialsInUseFinalizer)
	}
}

// setPolicy sets spec.field of obj to value through its JSON form.
func setPolicy(obj engine.Managed, field, value string) {
	raw, err := json.Marshal(obj)
	if err != nil {
		panic(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		panic(err)
	}
	doc["spec"].(map[string]any)[field] = value
	if raw, err = json.Marshal(doc); err != nil {
		panic(err)
	}
	if err := json.Unmarshal(raw, obj); err != nil {
		panic(err)
	}
}
