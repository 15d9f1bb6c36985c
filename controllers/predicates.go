package controllers

import (
	"reflect"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
)

// specOrDeletionChanged lets through the updates that give the engine work: a spec change
// (a new generation) or the start of a deletion. The engine's own status and metadata
// patches do not wake it again, which keeps each create and resync to the calls it needs.
func specOrDeletionChanged() predicate.Predicate {
	return predicate.Funcs{
		UpdateFunc: func(e event.UpdateEvent) bool {
			if e.ObjectOld == nil || e.ObjectNew == nil {
				return true
			}
			return e.ObjectOld.GetGeneration() != e.ObjectNew.GetGeneration() ||
				(e.ObjectOld.GetDeletionTimestamp() == nil) != (e.ObjectNew.GetDeletionTimestamp() == nil)
		},
	}
}

// secretDataChanged lets through Secrets that appear, go, or change their data: what can
// unblock a resource waiting for credentials. The engine's own finalizer patches on a
// Secret do not wake every resource that uses it.
func secretDataChanged() predicate.Predicate {
	return predicate.Funcs{
		UpdateFunc: func(e event.UpdateEvent) bool {
			oldSecret, okOld := e.ObjectOld.(*corev1.Secret)
			newSecret, okNew := e.ObjectNew.(*corev1.Secret)
			return !okOld || !okNew || !reflect.DeepEqual(oldSecret.Data, newSecret.Data)
		},
	}
}
