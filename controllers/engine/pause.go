package engine

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// paused says whether obj's reconcile stops here, with no platform call, because its
// prodlife.dev/paused annotation is "true" (an incident, a migration): it then says so in
// the Paused condition, whose lastTransitionTime is when the pause began, and leaves every
// other condition as the last reconcile wrote it. A deletion waits for the annotation to go,
// but one whose deletionPolicy is Orphan, which calls no platform, goes on. A resource that is
// not paused has no Paused condition.
func (e *Engine[T, P]) paused(obj T) bool {
	conditions := &obj.GetCommonStatus().Conditions
	deleting := obj.GetDeletionTimestamp() != nil
	if obj.GetAnnotations()[v1alpha1.PausedAnnotation] != "true" ||
		(deleting && obj.GetLifecyclePolicies().DeletionPolicy == v1alpha1.DeletionPolicyOrphan) {
		meta.RemoveStatusCondition(conditions, v1alpha1.ConditionPaused)
		return false
	}
	message := "paused by the annotation " + v1alpha1.PausedAnnotation + `: "true": the operator makes no call to the platform for this ` + e.Noun +
		" (create, observe, update or delete) until the annotation is removed"
	if deleting {
		message += "; the deletion waits for it. Remove the annotation to let the operator delete the " + e.Noun +
			", or set spec.deletionPolicy: Orphan to leave it on the platform"
	}
	meta.SetStatusCondition(conditions, metav1.Condition{
		Type: v1alpha1.ConditionPaused, Status: metav1.ConditionTrue, Reason: "Paused", Message: message,
		ObservedGeneration: obj.GetGeneration(),
	})
	return true
}
