package engine

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/controller/priorityqueue"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// A manager that starts (a restart, an upgrade, a new leader) is handed every object of its
// kind at once. Reading each product again then would cost, at 5,000 products, 5,000 reads
// of the platform (a hundred seconds of the account's QueryProduct quota, which the account's
// other users share) and as many status writes (status.lastSyncTime), in the first minutes,
// while the objects that do need work wait behind them. An object whose status says its
// product was read matching its spec, at this generation, less than a resync period ago is
// instead read when that period ends, as it would have been without the restart; every other
// object (new, changed, failing, being deleted, paused, with a reconcile requested) is
// reconciled at once.

// NotDueFor is how long the object handed to a starting manager may wait for its first
// reconcile: 0 unless its product was read matching the spec less than a resync period ago
// and nothing about the object asks for work.
func (e *Engine[T, P]) NotDueFor(o client.Object, now time.Time) time.Duration {
	obj, ok := o.(T)
	if !ok || obj.GetDeletionTimestamp() != nil || !readyAtThisGeneration(obj) ||
		!controllerutil.ContainsFinalizer(obj, v1alpha1.Finalizer) ||
		meta.FindStatusCondition(obj.GetCommonStatus().Conditions, v1alpha1.ConditionPaused) != nil {
		// Being deleted, changed, failing, without its finalizer, or paused until now (the
		// Paused condition goes at the next reconcile): work to do at once.
		return 0
	}
	annotations := obj.GetAnnotations()
	st := obj.GetCommonStatus()
	_, pending := annotations[v1alpha1.CreatePendingAnnotation]
	requested, isRequested := annotations[v1alpha1.ReconcileRequestedAtAnnotation]
	if pending || annotations[v1alpha1.ExternalIDAnnotation] == "" || annotations[v1alpha1.PausedAnnotation] != "" ||
		(isRequested && requested != st.LastHandledReconcileAt) || st.LastSyncTime == nil {
		return 0
	}
	period := e.resyncPeriod(obj)
	left := period - now.Sub(st.LastSyncTime.Time)
	if period <= 0 || left <= 0 {
		return 0
	}
	// A clock ahead of this one wrote the time: wait no longer than a period.
	return min(left, period)
}

// dueIn is NotDueFor of one kind's engine; nil takes every object at once.
type dueIn func(obj client.Object, now time.Time) time.Duration

// dueAtStart lets through every event but a starting manager's hand-over of what exists
// (the initial list), which deferUntilDue queues: one decision per object, so that no object
// is dropped by both watches when its time runs out between the two.
func dueAtStart(notDue dueIn) predicate.Predicate {
	return predicate.Funcs{CreateFunc: func(e event.CreateEvent) bool {
		return notDue == nil || !e.IsInInitialList
	}}
}

// handedOverAtStart lets through only what dueAtStart holds back.
func handedOverAtStart(notDue dueIn) predicate.Predicate {
	return predicate.Funcs{
		CreateFunc:  func(e event.CreateEvent) bool { return notDue != nil && e.IsInInitialList },
		UpdateFunc:  func(event.UpdateEvent) bool { return false },
		DeleteFunc:  func(event.DeleteEvent) bool { return false },
		GenericFunc: func(event.GenericEvent) bool { return false },
	}
}

// deferUntilDue queues an object handed to a starting manager behind everything else, for
// when it is due (at once when it is). Any event about it before then (a spec change, a
// deletion) queues it at once: the queue keeps an item's earliest time.
func deferUntilDue(notDue dueIn) handler.EventHandler {
	return handler.Funcs{CreateFunc: func(_ context.Context, e event.CreateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
		item := reconcile.Request{NamespacedName: client.ObjectKeyFromObject(e.Object)}
		wait := max(notDue(e.Object, time.Now()), 0)
		// Every controller's queue is a priority queue here (fairQueue); a plain one would
		// only lose the low priority.
		if pq, ok := q.(priorityqueue.PriorityQueue[reconcile.Request]); ok {
			pq.AddWithOpts(priorityqueue.AddOpts{After: wait, Priority: ptr.To(handler.LowPriority)}, item)
			return
		}
		q.AddAfter(item, wait)
	}}
}

// notHandedOver lets through every event but a starting manager's hand-over of what exists:
// the objects that use a Secret are handed over themselves, and those not due wait (a Secret
// changed while no manager ran is used at their next read, docs/usage.md says so).
func notHandedOver() predicate.Predicate {
	return predicate.Funcs{CreateFunc: func(e event.CreateEvent) bool { return !e.IsInInitialList }}
}
