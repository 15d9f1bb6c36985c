package controllers

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// credentialsSecretField indexes both kinds by the name of the Secret they read credentials
// from, so a Secret's users are one indexed List away.
const credentialsSecretField = ".spec.credentialsSecretRef.name"

// CredentialsReconciler takes the credentials-in-use finalizer off a Secret once no
// resource that may still call the platform with it is left. The lifecycle engine puts the
// finalizer on; this is the other half. Together they make `kubectl delete namespace` safe:
// the Secret outlives every resource that needs it to delete its product.
type CredentialsReconciler struct {
	Client client.Client
}

func (r *CredentialsReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	secret := &corev1.Secret{}
	if err := r.Client.Get(ctx, req.NamespacedName, secret); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !controllerutil.ContainsFinalizer(secret, v1alpha1.CredentialsInUseFinalizer) {
		return ctrl.Result{}, nil
	}
	inUse, err := r.inUse(ctx, secret)
	if err != nil || inUse {
		return ctrl.Result{}, err
	}
	err = patchMetadata(ctx, r.Client, secret, func(s *corev1.Secret) {
		controllerutil.RemoveFinalizer(s, v1alpha1.CredentialsInUseFinalizer)
	})
	return ctrl.Result{}, client.IgnoreNotFound(err)
}

// inUse reports whether a resource in the Secret's namespace names it and still holds the
// lifecycle finalizer, i.e. may still need it to delete its external product.
func (r *CredentialsReconciler) inUse(ctx context.Context, secret *corev1.Secret) (bool, error) {
	lists := []client.ObjectList{&v1alpha1.IoTProductList{}, &v1alpha1.FlipsnackFeedList{}}
	for _, list := range lists {
		if err := r.Client.List(ctx, list, client.InNamespace(secret.Namespace), client.MatchingFields{credentialsSecretField: secret.Name}); err != nil {
			return false, fmt.Errorf("listing users of Secret %s: %w", secret.Name, err)
		}
		used := false
		_ = meta.EachListItem(list, func(o runtime.Object) error {
			used = used || controllerutil.ContainsFinalizer(o.(client.Object), v1alpha1.Finalizer)
			return nil
		})
		if used {
			return true, nil
		}
	}
	return false, nil
}

// SetupWithManager watches Secrets that carry the finalizer and every resource of both
// kinds, mapping a resource to the Secret it names: a resource's finalizer going is what
// may free its Secret.
func (r *CredentialsReconciler) SetupWithManager(mgr ctrl.Manager) error {
	hasFinalizer := predicate.NewPredicateFuncs(func(o client.Object) bool {
		return controllerutil.ContainsFinalizer(o, v1alpha1.CredentialsInUseFinalizer)
	})
	return ctrl.NewControllerManagedBy(mgr).
		Named("credentials").
		For(&corev1.Secret{}, builder.WithPredicates(hasFinalizer)).
		Watches(&v1alpha1.IoTProduct{}, handler.EnqueueRequestsFromMapFunc(secretOf)).
		Watches(&v1alpha1.FlipsnackFeed{}, handler.EnqueueRequestsFromMapFunc(secretOf)).
		Complete(r)
}

func secretOf(_ context.Context, o client.Object) []reconcile.Request {
	m, ok := o.(Managed)
	if !ok || m.GetCredentialsSecretName() == "" {
		return nil
	}
	return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: o.GetNamespace(), Name: m.GetCredentialsSecretName()}}}
}

// IndexCredentialsSecret registers the field index both the credentials controller and the
// kind controllers use to find a Secret's users.
func IndexCredentialsSecret(ctx context.Context, mgr ctrl.Manager) error {
	for _, obj := range []client.Object{&v1alpha1.IoTProduct{}, &v1alpha1.FlipsnackFeed{}} {
		err := mgr.GetFieldIndexer().IndexField(ctx, obj, credentialsSecretField, func(o client.Object) []string {
			if name := o.(Managed).GetCredentialsSecretName(); name != "" {
				return []string{name}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// usersOfSecret maps a Secret to the resources of one kind that read credentials from it,
// so fixing or creating a Secret unblocks them at once.
func usersOfSecret(c client.Client, list client.ObjectList) handler.MapFunc {
	return func(ctx context.Context, secret client.Object) []reconcile.Request {
		l := list.DeepCopyObject().(client.ObjectList)
		if err := c.List(ctx, l, client.InNamespace(secret.GetNamespace()), client.MatchingFields{credentialsSecretField: secret.GetName()}); err != nil {
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
