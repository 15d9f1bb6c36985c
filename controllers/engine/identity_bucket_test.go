package engine

import (
	"context"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// sameBucket returns an identity beginning with prefix, other than id, that the index puts
// in id's bucket.
func sameBucket(t *testing.T, prefix, id string) string {
	t.Helper()
	for i := range 100_000 {
		if other := fmt.Sprintf("%s%d", prefix, i); other != id && identityBucket(other) == identityBucket(id) {
			return other
		}
	}
	t.Fatalf("no identity shares the bucket of %s", id)
	return ""
}

func recording(ns, name, uid, id string, created time.Time) *v1alpha1.IoTProduct {
	p := &v1alpha1.IoTProduct{ObjectMeta: metav1.ObjectMeta{
		Namespace: ns, Name: name, UID: types.UID(uid), CreationTimestamp: metav1.NewTime(created),
	}}
	if id != "" {
		p.Annotations = map[string]string{v1alpha1.ExternalIDAnnotation: id}
	}
	return p
}

// Identities share index buckets, never owners: a resource is told another holds its
// identity only when that other records the very same one, whatever else its bucket holds.
func TestAnIdentityIsHeldOnlyByAResourceRecordingThatIdentity(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	const key = "a1OwnerKey"
	neighbourKey := sameBucket(t, "a1Neighbour", key)
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	owner := recording("team-a", "owner", "uid-owner", key, day)
	neighbour := recording("team-b", "neighbour", "uid-neighbour", neighbourKey, day.Add(time.Hour))
	newcomer := recording("team-c", "newcomer", "uid-newcomer", "", day.Add(2*time.Hour))
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(owner, neighbour, newcomer).
		WithIndex(&v1alpha1.IoTProduct{}, externalIDField, indexExternalID).Build()
	e := &Engine[*v1alpha1.IoTProduct, NoPlan]{Client: c, Noun: "product", NewList: func() client.ObjectList { return &v1alpha1.IoTProductList{} }}
	ctx := context.Background()

	for _, tt := range []struct {
		who  *v1alpha1.IoTProduct
		id   string
		want string // the holder's name, "" for none
	}{
		{newcomer, key, "owner"},
		{newcomer, neighbourKey, "neighbour"},
		{owner, key, ""},
		{neighbour, neighbourKey, ""},
		{neighbour, key, "owner"},
		{newcomer, sameBucket(t, "a1Nobody", key), ""},
	} {
		holder, err := e.identityHolder(ctx, tt.who, tt.id)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if holder != nil {
			got = holder.GetName()
		}
		if got != tt.want {
			t.Errorf("%s asking for %s: held by %q, want %q", tt.who.Name, tt.id, got, tt.want)
		}
	}
}
