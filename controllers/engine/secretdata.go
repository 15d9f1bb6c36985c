package engine

import (
	"context"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/lru"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// SecretData remembers the credentials Secrets that resources named, read from the API
// server, each valid only while the cache's metadata watch of Secrets reports the very
// resourceVersion it was read at. A resourceVersion names one state of one object, so what
// it returns is what a GET would have returned at that version; a Secret that changes or goes
// has a new resourceVersion (or none) in the metadata cache, and is read again. Without it,
// every reconcile of every resource reads its Secret from the API server: thousands of GETs
// for a bulk create or deletion, and a steady stream at rest.
//
// Only Secrets a resource names are kept, at most secretDataEntries of them, and none whose
// data is larger than secretDataMaxBytes (credentials are a few dozen bytes; a namespace
// user must not be able to fill the manager with megabyte Secrets).
type SecretData struct {
	metadata client.Reader // the metadata of Secrets, from the manager's cache (the Secret watch)
	cache    *lru.Cache    // types.NamespacedName -> *corev1.Secret
}

// NewSecretData remembers Secrets against the metadata that reader (the manager's cache)
// holds. A nil *secretData remembers nothing.
func NewSecretData(metadata client.Reader) *SecretData {
	return &SecretData{metadata: metadata, cache: lru.New(secretDataEntries)}
}

const (
	secretDataEntries  = 1024
	secretDataMaxBytes = 4 << 10
)

// get returns a copy of the Secret at key if the one remembered is at the resourceVersion
// the metadata cache reports now.
func (s *SecretData) get(ctx context.Context, key types.NamespacedName) (*corev1.Secret, bool) {
	if s == nil {
		return nil, false
	}
	v, ok := s.cache.Get(key)
	if !ok {
		return nil, false
	}
	remembered := v.(*corev1.Secret)
	current := secretMetadata()
	if err := s.metadata.Get(ctx, key, current); err != nil || current.GetResourceVersion() != remembered.ResourceVersion {
		s.cache.Remove(key)
		return nil, false
	}
	return remembered.DeepCopy(), true
}

// put remembers what the engine uses of secret, as read from the API server (its data, and
// the identity, version, finalizers and deletion of its metadata), if that is small enough.
// Its labels, annotations (a client-side apply keeps a copy of the data there) and
// managedFields are not kept: they are the tenant's, as large as she likes.
func (s *SecretData) put(secret *corev1.Secret) {
	if s == nil || secret.ResourceVersion == "" {
		return
	}
	size := 0
	for k, v := range secret.Data {
		size += len(k) + len(v)
	}
	for _, f := range secret.Finalizers {
		size += len(f)
	}
	if size > secretDataMaxBytes {
		return
	}
	kept := &corev1.Secret{
		TypeMeta: secret.TypeMeta,
		ObjectMeta: metav1.ObjectMeta{
			Namespace: secret.Namespace, Name: secret.Name, UID: secret.UID, ResourceVersion: secret.ResourceVersion,
			Finalizers: slices.Clone(secret.Finalizers), DeletionTimestamp: secret.DeletionTimestamp.DeepCopy(),
		},
		Type: secret.Type,
		Data: maps.Clone(secret.Data),
	}
	s.cache.Add(client.ObjectKeyFromObject(secret), kept)
}
