package engine

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
)

// ManagedController begins the controller of one kind with what every kind watches: its own
// objects (spec changes and deletions), the credentials Secrets they name, and the deletion of
// namespaces that hold protected ones. notDue is the kind's engine's NotDueFor: a starting
// manager reconciles at once only the objects that are due (startup.go). A kind adds its own
// watches to what it returns.
func ManagedController(mgr ctrl.Manager, name string, obj client.Object, list client.ObjectList, opts Options, notDue func(client.Object, time.Time) time.Duration) *builder.Builder {
	return ctrl.NewControllerManagedBy(mgr).
		Named(name).
		For(obj, builder.WithPredicates(specOrDeletionChanged(), dueAtStart(notDue))).
		Watches(obj, deferUntilDue(notDue), builder.WithPredicates(handedOverAtStart(notDue))).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(usersOfSecret(mgr.GetClient(), list)),
			builder.WithPredicates(ContentChanged(), notHandedOver())).
		WatchesMetadata(&corev1.Namespace{}, handler.EnqueueRequestsFromMapFunc(protectedObjectsIn(mgr.GetClient(), list)),
			builder.WithPredicates(namespaceDeletionStarted())).
		WithOptions(opts.controllerOptions())
}
