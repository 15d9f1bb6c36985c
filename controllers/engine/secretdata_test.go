package engine

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// metadataAt answers metadata reads of Secrets with the resourceVersion it holds for each.
type metadataAt map[types.NamespacedName]string

func (m metadataAt) Get(_ context.Context, key client.ObjectKey, obj client.Object, _ ...client.GetOption) error {
	rv, ok := m[key]
	if !ok {
		return apierrors.NewNotFound(schema.GroupResource{Resource: "secrets"}, key.Name)
	}
	obj.SetResourceVersion(rv)
	return nil
}

func (m metadataAt) List(context.Context, client.ObjectList, ...client.ListOption) error { return nil }

// A remembered Secret is served only while the metadata cache reports the resourceVersion it
// was read at; a change or a deletion makes the next read go to the API server. Large Secrets
// are never kept, and what is served is a copy.
func TestSecretDataServesOnlyTheVersionTheMetadataCacheReports(t *testing.T) {
	ctx := context.Background()
	key := types.NamespacedName{Namespace: "team-a", Name: "creds"}
	meta := metadataAt{key: "5"}
	s := NewSecretData(meta)
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name, ResourceVersion: "5"},
		Data: map[string][]byte{"accessKeyId": []byte("id"), "accessKeySecret": []byte("secret")}}
	s.put(secret)

	got, ok := s.get(ctx, key)
	if !ok || string(got.Data["accessKeySecret"]) != "secret" {
		t.Fatalf("the Secret at the version the cache reports: %v, %v", got, ok)
	}
	got.Data["accessKeySecret"] = []byte("changed by the caller")
	got.Finalizers = append(got.Finalizers, "x")
	if again, _ := s.get(ctx, key); string(again.Data["accessKeySecret"]) != "secret" || len(again.Finalizers) != 0 {
		t.Fatalf("a caller's change reached the remembered Secret: %v", again)
	}

	meta[key] = "6" // rotated: the metadata watch saw a new version
	if _, ok := s.get(ctx, key); ok {
		t.Fatal("served a Secret whose resourceVersion the metadata cache no longer reports")
	}
	meta[key] = "5" // even if the cache went back, the entry is gone
	if _, ok := s.get(ctx, key); ok {
		t.Fatal("served an entry dropped after a version change")
	}

	s.put(secret)
	delete(meta, key) // deleted
	if _, ok := s.get(ctx, key); ok {
		t.Fatal("served a Secret the metadata cache no longer has")
	}

	big := secret.DeepCopy()
	big.Data["padding"] = []byte(strings.Repeat("x", secretDataMaxBytes))
	meta[key] = "5"
	s.put(big)
	if _, ok := s.get(ctx, key); ok {
		t.Fatal("remembered a Secret larger than the bound")
	}

	var none *SecretData
	none.put(secret)
	if _, ok := none.get(ctx, key); ok {
		t.Fatal("a nil secretData served a Secret")
	}
}

// What a tenant adds to her Secret beside its data (labels, annotations, a client-side
// apply's copy of the data) is not kept, however large: only the data and what the engine
// reads of the metadata.
func TestSecretDataKeepsTheDataNotTheTenantsMetadata(t *testing.T) {
	key := types.NamespacedName{Namespace: "team-a", Name: "creds"}
	s := NewSecretData(metadataAt{key: "5"})
	big := strings.Repeat("x", 250<<10)
	s.put(&corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name, ResourceVersion: "5",
			Annotations: map[string]string{"kubectl.kubernetes.io/last-applied-configuration": big, "note": big},
			Labels:      map[string]string{"team": "a"}, Finalizers: []string{"prodlife.dev/credentials-in-use"},
			ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}}},
		Data: map[string][]byte{"accessKeyId": []byte("id")},
	})
	got, ok := s.get(context.Background(), key)
	if !ok {
		t.Fatal("the Secret was not kept")
	}
	if len(got.Annotations)+len(got.Labels)+len(got.ManagedFields) != 0 || string(got.Data["accessKeyId"]) != "id" ||
		len(got.Finalizers) != 1 || got.ResourceVersion != "5" {
		t.Errorf("kept %d annotations, %d labels, %d managedFields, data %q, finalizers %v; want the data, finalizers and version only",
			len(got.Annotations), len(got.Labels), len(got.ManagedFields), got.Data, got.Finalizers)
	}
}
