package engine

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// Deletion protection itself is enforced by the API server (config/policy); the operator's
// part is to say so where a person looks when a namespace will not go, and to hold a
// guarded product (DeletionGuardedError).

// ReasonDeletionProtected is the Stalled reason of a protected object whose namespace is being
// deleted: the namespace stays Terminating until the flag is cleared.
const ReasonDeletionProtected = "DeletionProtected"

// DeletionGuardedError is an adapter's refusal to delete a product that its deletion guard
// protects (IoT: devices remain). It is not a platform failure: the engine holds the object
// with Ready=False DeletionGuarded and Stalled=True until a person chooses a way out.
type DeletionGuardedError struct {
	Reason string
	// Condition is the Ready reason to report; empty means DeletionGuarded.
	Condition string
}

// conditionReason is the Ready reason the engine reports for e.
func (e *DeletionGuardedError) conditionReason() string {
	if e.Condition == "" {
		return ReasonDeletionGuarded
	}
	return e.Condition
}

func (e *DeletionGuardedError) Error() string { return e.Reason }

// namespaceDeletionStarted lets through namespaces that are being deleted.
func namespaceDeletionStarted() predicate.Predicate {
	return predicate.Funcs{
		CreateFunc:  func(e event.CreateEvent) bool { return e.Object.GetDeletionTimestamp() != nil },
		UpdateFunc:  func(e event.UpdateEvent) bool { return e.ObjectNew.GetDeletionTimestamp() != nil },
		DeleteFunc:  func(event.DeleteEvent) bool { return false },
		GenericFunc: func(event.GenericEvent) bool { return false },
	}
}

// protectedObjectsIn maps a namespace to the objects of one kind in it that have deletion
// protection: the ones that keep a namespace deletion from finishing.
func protectedObjectsIn(c client.Client, list client.ObjectList) handler.MapFunc {
	return func(ctx context.Context, ns client.Object) []reconcile.Request {
		l := list.DeepCopyObject().(client.ObjectList)
		if err := c.List(ctx, l, client.InNamespace(ns.GetName())); err != nil {
			return nil
		}
		var reqs []reconcile.Request
		_ = meta.EachListItem(l, func(o runtime.Object) error {
			if m, ok := o.(Managed); ok && m.GetLifecyclePolicies().DeletionProtection {
				reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(m)})
			}
			return nil
		})
		return reqs
	}
}

// notePendingNamespaceDeletion marks a protected object Stalled while its namespace is being
// deleted: the namespace's own condition quotes the refusal, but people look at the object,
// and this says how to let both go. (An event cannot say it: a terminating namespace
// accepts no new objects, events included.)
func (e *Engine[T, P]) notePendingNamespaceDeletion(ctx context.Context, obj T) {
	ns := &metav1.PartialObjectMetadata{}
	ns.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Namespace"))
	if err := e.Client.Get(ctx, client.ObjectKey{Name: obj.GetNamespace()}, ns); err != nil {
		log.FromContext(ctx).V(1).Info("cannot read the namespace", "error", err.Error())
		return
	}
	if ns.GetDeletionTimestamp() == nil {
		return
	}
	setStalledOnly(obj, ReasonDeletionProtected, fmt.Sprintf(
		"namespace %s is being deleted, but spec.deletionProtection keeps this resource, and so the namespace stays Terminating. "+
			"To delete both on purpose: kubectl patch %s %s -n %s --type merge -p '{\"spec\":{\"deletionProtection\":false}}'",
		obj.GetNamespace(), strings.ToLower(e.kindOf(obj)), obj.GetName(), obj.GetNamespace()))
}

// kindOf names the object's kind for commands a person can paste.
func (e *Engine[T, P]) kindOf(obj T) string {
	gvk, err := apiutil.GVKForObject(obj, e.Client.Scheme())
	if err != nil {
		return "resource"
	}
	return gvk.Kind
}
