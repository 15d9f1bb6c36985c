package controllers

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
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

// CacheOptions are the manager cache's options for the given namespaces (nil: all). No
// object the cache holds keeps its managedFields: the operator never reads them, and they
// are often the larger part of an object's metadata.
func CacheOptions(namespaces map[string]cache.Config) cache.Options {
	return cache.Options{DefaultNamespaces: namespaces, DefaultTransform: cache.TransformStripManagedFields()}
}

// contentChanged lets through objects watched by metadata only (Secrets, ConfigMaps) that
// appear, go, or change anything but their finalizers and deletion: a change of data moves
// only the resourceVersion of the metadata, so an update that leaves both alone is taken as
// one. The engine's own finalizer patches on a Secret do not wake every resource that uses
// it, nor does a namespace deletion reaching the Secret (which unblocks no one).
func contentChanged() predicate.Predicate {
	return predicate.Funcs{
		UpdateFunc: func(e event.UpdateEvent) bool {
			return slices.Equal(e.ObjectOld.GetFinalizers(), e.ObjectNew.GetFinalizers()) &&
				(e.ObjectOld.GetDeletionTimestamp() == nil) == (e.ObjectNew.GetDeletionTimestamp() == nil)
		},
	}
}
