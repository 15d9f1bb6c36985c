package engine

import (
	"slices"
	"strings"

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

// StripUnread drops from an object on its way into the cache what the operator never reads:
// managedFields (often the larger part of an object's metadata), the labels, and every
// annotation but the operator's own (prodlife.dev/...). They belong to the objects' owners,
// a tenant can put up to 256 KiB of annotations on each object (a client-side `kubectl
// apply` keeps a copy of the whole object there), and the manager must not hold them for
// every object of every tenant. Of the objects watched by their metadata only (Secrets,
// ConfigMaps, Namespaces) it keeps no annotation at all. The engine writes metadata with
// patches of the keys it changed (metadataPatch), never with updates or whole maps, so what
// the cached copy lacks is never written away. What is left shares the strings common to
// many objects (intern.go, and shareStrings for each kind's own fields).
func StripUnread(shareStrings func(obj any)) func(any) (any, error) {
	return func(in any) (any, error) {
		obj, err := meta.Accessor(in)
		if err != nil {
			return in, nil
		}
		if obj.GetManagedFields() != nil {
			obj.SetManagedFields(nil)
		}
		obj.SetLabels(nil)
		if _, metadataOnly := in.(*metav1.PartialObjectMetadata); metadataOnly {
			obj.SetAnnotations(nil)
			return in, nil
		}
		ownAnnotationsOnly(obj)
		shareStrings(in)
		return in, nil
	}
}

// ownAnnotationPrefix starts the names of the annotations the operator writes and reads.
const ownAnnotationPrefix = "prodlife.dev/"

// ownAnnotationsOnly keeps, of obj's annotations, the operator's own.
func ownAnnotationsOnly(obj metav1.Object) {
	a := obj.GetAnnotations()
	foreign := 0
	for k := range a {
		if !strings.HasPrefix(k, ownAnnotationPrefix) {
			foreign++
		}
	}
	if foreign == 0 {
		return
	}
	var kept map[string]string
	if len(a) > foreign {
		kept = make(map[string]string, len(a)-foreign)
		for k, v := range a {
			if strings.HasPrefix(k, ownAnnotationPrefix) {
				kept[k] = v
			}
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
