package engine

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
)

// What the manager keeps in memory. Secrets and ConfigMaps belong to every tenant of the
// cluster, and a cache of them in full would hold every Secret in the manager (a copy of
// every tenant's keys) and let any namespace grow its memory with megabytes of ConfigMaps.
// The controllers watch only their metadata, and the client reads the few a resource names
// from the API server itself.

// ClientOptions are the manager client's options: Secrets and ConfigMaps are read past the
// cache, from the API server.
func ClientOptions() client.Options {
	return client.Options{Cache: &client.CacheOptions{DisableFor: []client.Object{&corev1.Secret{}, &corev1.ConfigMap{}}}}
}

// CacheOptions are the manager cache's options for the given namespaces (nil: all), with
// every object stripped of what the operator never reads (StripUnread) and made to share its
// common strings by shareStrings (each kind's ShareStrings, controllers/platforms.go).
func CacheOptions(namespaces map[string]cache.Config, shareStrings func(obj any)) cache.Options {
	return cache.Options{DefaultNamespaces: namespaces, DefaultTransform: StripUnread(shareStrings)}
}

// lastAppliedAnnotation is where a client-side `kubectl apply` (and Argo CD by default)
// keeps the whole object as it was applied.
const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// StripUnread drops from an object on its way into the cache what the operator never reads:
// managedFields (often the larger part of an object's metadata) and the last-applied copy of
// the whole object. Of the objects watched by their metadata only (Secrets, ConfigMaps,
// Namespaces) it keeps neither annotations nor labels: they belong to their owners, a tenant
// can put up to 256 KiB of annotations on each, and a client-side apply of a Secret keeps its
// data there. The engine writes with merge patches of what it changed, never with updates,
// so a field missing from the cached copy is never written away. What is left shares the
// strings common to many objects (intern.go, and shareStrings for each kind's own fields).
func StripUnread(shareStrings func(obj any)) func(any) (any, error) {
	return func(in any) (any, error) {
		obj, err := meta.Accessor(in)
		if err != nil {
			return in, nil
		}
		if obj.GetManagedFields() != nil {
			obj.SetManagedFields(nil)
		}
		if _, metadataOnly := in.(*metav1.PartialObjectMetadata); metadataOnly {
			obj.SetAnnotations(nil)
			obj.SetLabels(nil)
			return in, nil
		}
		withoutLastApplied(obj)
		shareStrings(in)
		return in, nil
	}
}

// withoutLastApplied removes the last-applied copy from obj's annotations, if it has one.
func withoutLastApplied(obj metav1.Object) {
	a := obj.GetAnnotations()
	if _, ok := a[lastAppliedAnnotation]; !ok {
		return
	}
	kept := make(map[string]string, len(a)-1)
	for k, v := range a {
		if k != lastAppliedAnnotation {
			kept[k] = v
		}
	}
	obj.SetAnnotations(kept)
}

// ContentChanged lets through objects watched by metadata only (Secrets, ConfigMaps) that
// appear, go, or change anything but their finalizers and deletion: a change of data moves
// only the resourceVersion of the metadata, so an update that leaves both alone is taken as
// one. The engine's own finalizer patches on a Secret do not wake every resource that uses
// it, nor does a namespace deletion reaching the Secret (which unblocks no one).
func ContentChanged() predicate.Predicate {
	return predicate.Funcs{
		UpdateFunc: func(e event.UpdateEvent) bool {
			return slices.Equal(e.ObjectOld.GetFinalizers(), e.ObjectNew.GetFinalizers()) &&
				(e.ObjectOld.GetDeletionTimestamp() == nil) == (e.ObjectNew.GetDeletionTimestamp() == nil)
		},
	}
}
