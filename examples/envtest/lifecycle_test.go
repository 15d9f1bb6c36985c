package envtest

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/pkg/prodlifetest"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

// An IoTProduct and a FlipsnackFeed of the team's manifests become Ready; a platform that
// refuses the delete holds the IoTProduct (Stalled, the product kept) until it accepts;
// throttling of the feed's delete is waited out; in the end nothing is left on either platform.
func TestProductAndFeedLifecycleWithFaults(t *testing.T) {
	t.Parallel()
	env := prodlifetest.Start(t, prodlifetest.Options{})
	ctx := context.Background()

	p := &v1alpha1.IoTProduct{
		ObjectMeta: metav1.ObjectMeta{Namespace: env.Namespace, Name: "gateway"},
		Spec: v1alpha1.IoTProductSpec{
			ProductName: "edge_gateway", Description: "Edge gateway", Region: "cn-shanghai",
			CredentialsSecretRef: &v1alpha1.SecretReference{Name: prodlifetest.AlibabaSecretName},
		},
	}
	feed := &v1alpha1.FlipsnackFeed{
		ObjectMeta: metav1.ObjectMeta{Namespace: env.Namespace, Name: "catalogue"},
		Spec: v1alpha1.FlipsnackFeedSpec{
			CredentialsSecretRef: v1alpha1.SecretReference{Name: prodlifetest.FlipsnackSecretName},
			Products: []v1alpha1.FeedProduct{
				{Code: "SKU-1", Type: "product", Title: "Linen shirt", SellPrice: "39.90", Currency: "EUR"},
				{Code: "SKU-2", Type: "product", Title: "Canvas bag", SellPrice: "19.00", Currency: "EUR"},
			},
		},
	}
	for _, obj := range []client.Object{p, feed} {
		if err := env.Client.Create(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	env.WaitForCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionTrue)
	env.WaitForCondition(t, feed, v1alpha1.ConditionReady, metav1.ConditionTrue)
	if got := env.Alibaba.Products(); len(got) != 1 || got[0].ProductKey != p.Status.ProductKey {
		t.Fatalf("products on the platform: %+v, want the one of status.productKey %q", got, p.Status.ProductKey)
	}
	if got := env.Flipsnack.Feeds(); len(got) != 1 || len(got[0].SKUs) != 2 {
		t.Fatalf("feeds on the platform: %+v, want one with 2 SKUs", got)
	}

	// The platform refuses deletes: the IoTProduct stays, Stalled, and so does its product.
	must(t, env.Alibaba.SetFaults(alibabaiot.Faults{alibabaiot.ActionDeleteProduct: {ErrorRate: 1, Code: "Forbidden.RAM"}}))
	must(t, env.Flipsnack.SetFaults(map[string]flipsnack.Fault{flipsnack.ActionProductsDelete: {ErrorRate: 1, Code: "31", Count: 1}}))
	must(t, env.Client.Delete(ctx, p))
	must(t, env.Client.Delete(ctx, feed))
	env.WaitForCondition(t, p, v1alpha1.ConditionStalled, metav1.ConditionTrue)
	if n := len(env.Alibaba.Products()); n != 1 {
		t.Fatalf("%d products on the platform while it refuses deletes, want 1", n)
	}
	env.WaitForDeletion(t, feed) // the throttling answer (31) is waited out

	env.Alibaba.ClearFaults()
	env.WaitForDeletion(t, p)

	if got := env.Alibaba.Products(); len(got) != 0 {
		t.Errorf("products left on the platform: %+v", got)
	}
	for _, f := range env.Flipsnack.Feeds() {
		if len(f.SKUs) != 0 {
			t.Errorf("feed %s keeps SKUs %q", f.SourceHash, f.SKUs)
		}
	}
	var refused, deleted int
	for _, c := range env.Alibaba.Calls(alibabaiot.ActionDeleteProduct) {
		switch c.Code {
		case "Forbidden.RAM":
			refused++
		case alibabaiot.CodeOK:
			deleted++
		}
	}
	if refused == 0 || deleted != 1 {
		t.Errorf("DeleteProduct: %d refused, %d answered OK; want refusals, then one delete", refused, deleted)
	}
	var throttled bool
	for _, c := range env.Flipsnack.Calls() {
		throttled = throttled || (c.Action == flipsnack.ActionProductsDelete && c.Code == 31)
	}
	if !throttled {
		t.Errorf("no products.delete was answered 31: the fault did not fire")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
