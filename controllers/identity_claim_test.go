package controllers_test

import (
	"context"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

// A tenant who names another account's product in her spec, with credentials that cannot
// see it, claims nothing: her resource is Stalled (NotFound) saying nothing of anyone else,
// records no identity, and the owner's resource, created after hers, adopts the product.
func TestAClaimByCredentialsThatCannotSeeTheProductStopsNoOne(t *testing.T) {
	ctx := context.Background()
	owned, err := iotSim.AddProduct(alibabaiot.Product{ProductName: "owners_door", NodeType: 0, DataFormat: 1, AuthType: "secret"})
	must(t, err)

	squatterNS := newNamespace(t)
	createSecret(t, squatterNS, "other-account", map[string]string{"accessKeyId": chainKeyID, "accessKeySecret": chainSecret})
	squat := newProduct(squatterNS, "squat", func(p *v1alpha1.IoTProduct) {
		p.Spec.ProductKey = owned.ProductKey
		p.Spec.ProductName = "owners_door"
		p.Spec.CredentialsSecretRef = &v1alpha1.SecretReference{Name: "other-account"}
	})
	must(t, k8s.Create(ctx, squat))
	waitCondition(t, squat, v1alpha1.ConditionStalled, metav1.ConditionTrue, "NotFound")
	must(t, k8s.Get(ctx, client.ObjectKeyFromObject(squat), squat))
	if id := squat.Annotations[v1alpha1.ExternalIDAnnotation]; id != "" {
		t.Errorf("the squatter's resource recorded %s with credentials that cannot see it", id)
	}

	ownerNS := newNamespace(t)
	owner := newProduct(ownerNS, "door", func(p *v1alpha1.IoTProduct) {
		p.Spec.ProductKey = owned.ProductKey
		p.Spec.ProductName = "owners_door"
	})
	must(t, k8s.Create(ctx, owner))
	waitCondition(t, owner, v1alpha1.ConditionReady, metav1.ConditionTrue, "")

	must(t, k8s.Get(ctx, client.ObjectKeyFromObject(squat), squat))
	c := condition(squat, v1alpha1.ConditionStalled)
	for _, text := range append(events(t, squat), c.Message) {
		if strings.Contains(text, ownerNS) || strings.Contains(text, "door ") && strings.Contains(text, "managed by") {
			t.Errorf("the squatter learns of the owner: %q", text)
		}
	}
	if c.Reason != "NotFound" {
		t.Errorf("the squatter's resource is %s (%s), want Stalled NotFound", c.Reason, c.Message)
	}
}

// A feed that sends the owner's apiKey with a wrong secret can make no call on the owner's
// account: its claim to a sourceHash, however old, stops no feed of the owner, deletes
// nothing, and tells it nothing of the owner.
func TestAFeedClaimWithAWrongSecretStopsNoOne(t *testing.T) {
	ctx := context.Background()
	const hash = "claimed-by-a-squatter"
	squatterNS := newNamespace(t)
	createSecret(t, squatterNS, feedSecret, map[string]string{"apiKey": flipsnackKey, "apiSecret": "guessed-wrong-secret"})
	squat := newFeed(squatterNS, "squat", func(f *v1alpha1.FlipsnackFeed) { f.Spec.SourceHash = hash })
	must(t, k8s.Create(ctx, squat))
	waitCondition(t, squat, v1alpha1.ConditionStalled, metav1.ConditionTrue, "")

	ownerNS := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	owner := newFeed(ownerNS, "catalogue", func(f *v1alpha1.FlipsnackFeed) { f.Spec.SourceHash = hash })
	must(t, k8s.Create(ctx, owner))
	waitCondition(t, owner, v1alpha1.ConditionReady, metav1.ConditionTrue, "Available")
	if f, ok := simFeed(hash); !ok || len(f.SKUs) != 3 {
		t.Fatalf("the owner's feed %s: %+v, %v; want its 3 SKUs", hash, f, ok)
	}

	deleteAndWaitGone(t, squat)
	if calls := feedCalls("products.delete", hash); len(calls) != 0 {
		t.Errorf("deleting the squatter's feed called products.delete: %+v", calls)
	}
	must(t, k8s.Get(ctx, client.ObjectKeyFromObject(owner), owner))
	for _, text := range events(t, squat) {
		if strings.Contains(text, ownerNS) || strings.Contains(text, "managed by") {
			t.Errorf("the squatter learns of the owner: %q", text)
		}
	}
	deleteAndWaitGone(t, owner)
}
