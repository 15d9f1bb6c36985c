package engine

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// credentialsSecretField indexes both kinds by the name of the Secret they read credentials
// from, so a Secret's users are one indexed List away.
const credentialsSecretField = ".spec.credentialsSecretRef.name"

// secretHolderField indexes both kinds by the Secret they read credentials from, but only
// while they hold the lifecycle finalizer: the users that keep a Secret in use. Whether a
// Secret is in use is then a List of at most one object, however many resources share it.
const secretHolderField = ".spec.credentialsSecretRef.name/held"

// CredentialsReconciler keeps the credentials-in-use finalizer on a Secret exactly while a
// resource that may still call the platform with it exists. The lifecycle engine puts the
// finalizer on when it connects; this controller takes it off when the last user goes, and
// puts it back if it went while a user still holds the lifecycle finalizer. Together they
// make `kubectl delete namespace` safe: the Secret outlives every resource that needs it to
// delete its product.
type CredentialsReconciler struct {
	Client client.Client
	// Cache reads the Secrets' metadata from the manager's cache (Client reads Secrets from
	// the API server: ClientOptions). A stale copy is harmless: a finalizer is only taken
	// off after a live read and with an optimistic lock, and the Secret's next change wakes
	// this controller again.
	Cache client.Reader
	// APIReader reads past the cache. The finalizer is only taken off after a live read
	// confirms no user holds the lifecycle finalizer: the cache of resources can lag
	// behind the Secret's (a resource's finalizer, written just before the engine
	// protected the Secret, may not have reached it yet), and a finalizer taken off too
	// early leaves a feed, which has no periodic resync, with an unprotected Secret.
	APIReader client.Reader
}

func (r *CredentialsReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	// Secrets are watched and cached by their metadata only (cache.go): the finalizer is
	// all this controller reads or writes.
	secret := secretMetadata()
	reader := r.Cache
	if reader == nil {
		reader = r.Client
	}
	if err := reader.Get(ctx, req.NamespacedName, secret); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	held := controllerutil.ContainsFinalizer(secret, v1alpha1.CredentialsInUseFinalizer)
	inUse, err := r.inUse(ctx, secret, false)
	if err != nil {
		return ctrl.Result{}, err
	}
	switch {
	case inUse && !held:
		err = r.holdIfCredentials(ctx, secret)
	case !inUse && held:
		if inUse, err = r.inUse(ctx, secret, true); err != nil || inUse {
			return ctrl.Result{}, err
		}
		err = patchMetadata(ctx, r.Client, secret, func(s *metav1.PartialObjectMetadata) {
			controllerutil.RemoveFinalizer(s, v1alpha1.CredentialsInUseFinalizer)
		})
		if err == nil {
			// A new user may have taken its finalizer between the read and the removal,
			// and found the Secret still held: look once more.
			if inUse, err = r.inUse(ctx, secret, true); err == nil && inUse {
				err = r.holdIfCredentials(ctx, secret)
			}
		}
	}
	if apierrors.IsConflict(err) {
		// The Secret changed meanwhile (the engine protecting it, most often): decide
		// again on what it is now, without reporting an error.
		return ctrl.Result{RequeueAfter: conflictRetry}, nil
	}
	return ctrl.Result{}, client.IgnoreNotFound(err)
}

// holdIfCredentials puts the finalizer back on a Secret in use, if it is one the engine would
// hold itself (usableCredentials): a Secret's data is read, from the API server, only here.
func (r *CredentialsReconciler) holdIfCredentials(ctx context.Context, secret client.Object) error {
	full := &corev1.Secret{}
	if err := r.APIReader.Get(ctx, client.ObjectKeyFromObject(secret), full); err != nil {
		return err
	}
	if !holdsCredentials(full) {
		return nil
	}
	return holdSecret(ctx, r.Client, r.APIReader, secret)
}

// conflictRetry is how soon a Secret whose write conflicted is looked at again.
const conflictRetry = 100 * time.Millisecond

// inUse reports whether a resource in the Secret's namespace names it and still holds the
// lifecycle finalizer, i.e. may still need it to delete its external product. The cache
// answers through the field index of such users, reading one at most (a Secret shared by
// thousands of resources is looked at after every release of one during a bulk deletion);
// a live read has no index, so it lists the namespace.
func (r *CredentialsReconciler) inUse(ctx context.Context, secret client.Object, live bool) (bool, error) {
	var reader client.Reader = r.Client
	opts := []client.ListOption{client.InNamespace(secret.GetNamespace())}
	if live {
		reader = r.APIReader
	} else {
		opts = append(opts, client.MatchingFields{secretHolderField: secret.GetName()}, client.Limit(1), client.UnsafeDisableDeepCopy)
	}
	for _, k := range v1alpha1.Kinds {
		list := k.NewList()
		err := reader.List(ctx, list, opts...)
		if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
			// The kind's CRD is gone (an uninstall): it has no users left.
			continue
		}
		if err != nil {
			return false, fmt.Errorf("listing users of Secret %s: %w", secret.GetName(), err)
		}
		used := false
		_ = meta.EachListItem(list, func(o runtime.Object) error {
			obj := o.(client.Object)
			used = used || (obj.(Managed).GetCredentialsSecretName() == secret.GetName() &&
				controllerutil.ContainsFinalizer(obj, v1alpha1.Finalizer))
			return nil
		})
		if used {
			return true, nil
		}
	}
	return false, nil
}

// SetupWithManager watches Secrets that carry or carried the finalizer and every resource
// of both kinds, mapping a resource to the Secret it names: a resource's finalizer going is
// what may free its Secret, and a finalizer taken off a Secret still in use is put back.
func (r *CredentialsReconciler) SetupWithManager(mgr ctrl.Manager) error {
	holds := func(o client.Object) bool {
		return controllerutil.ContainsFinalizer(o, v1alpha1.CredentialsInUseFinalizer)
	}
	hasFinalizer := predicate.Funcs{
		CreateFunc:  func(e event.CreateEvent) bool { return holds(e.Object) },
		UpdateFunc:  func(e event.UpdateEvent) bool { return holds(e.ObjectOld) || holds(e.ObjectNew) },
		DeleteFunc:  func(event.DeleteEvent) bool { return false },
		GenericFunc: func(e event.GenericEvent) bool { return holds(e.Object) },
	}
	b := ctrl.NewControllerManagedBy(mgr).
		Named("credentials").
		For(&corev1.Secret{}, builder.OnlyMetadata, builder.WithPredicates(hasFinalizer))
	for _, k := range v1alpha1.Kinds {
		b = b.Watches(k.New(), handler.EnqueueRequestsFromMapFunc(secretOf), builder.WithPredicates(mayFreeSecret()))
	}
	return b.Complete(r)
}

// mayFreeSecret lets through the resource events after which the Secret a resource names may
// have lost its last user: a release of the lifecycle finalizer, a switch to another Secret,
// a deletion; and, as a manager starts, every resource that holds the finalizer (so every
// Secret in use is looked at once). A resource taking its finalizer frees nothing, and the
// engine holds the Secret itself then; without this filter every write of every resource
// would make this controller look at its Secret.
func mayFreeSecret() predicate.Predicate {
	holds := func(o client.Object) bool { return controllerutil.ContainsFinalizer(o, v1alpha1.Finalizer) }
	return predicate.Funcs{
		CreateFunc: func(e event.CreateEvent) bool { return holds(e.Object) },
		UpdateFunc: func(e event.UpdateEvent) bool {
			if e.ObjectOld == nil || e.ObjectNew == nil {
				return true
			}
			return holds(e.ObjectOld) && (!holds(e.ObjectNew) ||
				e.ObjectOld.(Managed).GetCredentialsSecretName() != e.ObjectNew.(Managed).GetCredentialsSecretName())
		},
	}
}

func secretOf(_ context.Context, o client.Object) []reconcile.Request {
	m, ok := o.(Managed)
	if !ok || m.GetCredentialsSecretName() == "" {
		return nil
	}
	return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: o.GetNamespace(), Name: m.GetCredentialsSecretName()}}}
}

// usersOfSecret maps a Secret to the resources of one kind that read credentials from it,
// so fixing or creating a Secret unblocks them at once.
func usersOfSecret(c client.Client, list client.ObjectList) handler.MapFunc {
	return func(ctx context.Context, secret client.Object) []reconcile.Request {
		l := list.DeepCopyObject().(client.ObjectList)
		if err := c.List(ctx, l, client.InNamespace(secret.GetNamespace()), client.MatchingFields{credentialsSecretField: secret.GetName()}, client.UnsafeDisableDeepCopy); err != nil {
			return nil
		}
		var reqs []reconcile.Request
		_ = meta.EachListItem(l, func(o runtime.Object) error {
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(o.(client.Object))})
			return nil
		})
		return reqs
	}
}
