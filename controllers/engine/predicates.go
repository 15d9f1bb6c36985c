package engine

import (
	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
)

// specOrDeletionChanged lets through the updates that give the engine work: a spec change
// (a new generation), the start of a deletion, a pause set or lifted, or a reconcile
// requested (prodlife.dev/reconcile-requested-at). The engine's own status and metadata
// patches do not wake it again, which keeps each create and resync to the calls it needs.
func specOrDeletionChanged() predicate.Predicate {
	return predicate.Funcs{
		UpdateFunc: func(e event.UpdateEvent) bool {
			if e.ObjectOld == nil || e.ObjectNew == nil {
				return true
			}
			return e.ObjectOld.GetGeneration() != e.ObjectNew.GetGeneration() ||
				(e.ObjectOld.GetDeletionTimestamp() == nil) != (e.ObjectNew.GetDeletionTimestamp() == nil) ||
				e.ObjectOld.GetAnnotations()[v1alpha1.PausedAnnotation] != e.ObjectNew.GetAnnotations()[v1alpha1.PausedAnnotation] ||
				e.ObjectOld.GetAnnotations()[v1alpha1.ReconcileRequestedAtAnnotation] != e.ObjectNew.GetAnnotations()[v1alpha1.ReconcileRequestedAtAnnotation]
		},
	}
}
