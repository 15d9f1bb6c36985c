package envtest

import (
	"context"
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/pkg/prodlifetest"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

// Products taken out of a feed are deleted from the platform by SKU, and deleting the feed
// deletes the rest: the call log says exactly which SKUs each products.delete carried.
func TestFeedDeletesExactlyTheSKUsTakenOut(t *testing.T) {
	t.Parallel()
	env := prodlifetest.Start(t, prodlifetest.Options{})
	ctx := context.Background()
	product := func(code, title string) v1alpha1.FeedProduct {
		return v1alpha1.FeedProduct{Code: code, Type: "product", Title: title, SellPrice: "10.00", Currency: "EUR"}
	}
	feed := &v1alpha1.FlipsnackFeed{
		ObjectMeta: metav1.ObjectMeta{Namespace: env.Namespace, Name: "spring"},
		Spec: v1alpha1.FlipsnackFeedSpec{
			CredentialsSecretRef: v1alpha1.SecretReference{Name: prodlifetest.FlipsnackSecretName},
			Products: []v1alpha1.FeedProduct{
				product("TEE-S", "Tee S"), product("TEE-M", "Tee M"), product("TEE-L", "Tee L"), product("CAP", "Cap"),
			},
		},
	}
	must(t, env.Client.Create(ctx, feed))
	env.WaitForCondition(t, feed, v1alpha1.ConditionReady, metav1.ConditionTrue)

	// The season ends for two sizes.
	feed.Spec.Products = []v1alpha1.FeedProduct{product("TEE-M", "Tee M"), product("CAP", "Cap")}
	must(t, env.Client.Update(ctx, feed))
	env.WaitForCondition(t, feed, v1alpha1.ConditionReady, metav1.ConditionTrue)
	must(t, env.Client.Delete(ctx, feed))
	env.WaitForDeletion(t, feed)

	var batches [][]string
	for _, c := range env.Flipsnack.CallsFor(flipsnack.ActionProductsDelete) {
		if c.Code == flipsnack.CodeOK {
			skus := slices.Clone(c.SKUs)
			slices.Sort(skus)
			batches = append(batches, skus)
		}
	}
	want := [][]string{{"TEE-L", "TEE-S"}, {"CAP", "TEE-M"}}
	if !slices.EqualFunc(batches, want, slices.Equal[[]string]) {
		t.Errorf("products.delete carried %q; want the two sizes taken out, then the rest with the feed", batches)
	}
}
