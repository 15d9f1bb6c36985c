package uninstall_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/internal/metrics/metricstest"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

// The CRD deletion waits for the API server's own cleanup, which looks again every 5 seconds.
const waitFor = 90 * time.Second

var crdNames = []string{"iotproducts.prodlife.dev", "flipsnackfeeds.prodlife.dev"}

// Deleting a resource deletes its product on the platform; deleting the CRDs (an uninstall)
// deletes every resource too, but leaves every product on the platforms: no DeleteProduct, no
// products.delete, and an Orphaned event saying why.
func TestDeletingTheCRDsLeavesTheProductsOnThePlatforms(t *testing.T) {
	op := startOperator(t)
	ctx := context.Background()
	ns := "shop"
	must(t, op.k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}))
	op.createSecret(t, ns, "alibaba-credentials", map[string]string{"accessKeyId": alibabaKeyID, "accessKeySecret": alibabaSecret})
	op.createSecret(t, ns, "flipsnack-credentials", map[string]string{"apiKey": flipsnackKey, "apiSecret": flipsnackSecret})

	// The control: deleting the resources themselves deletes their products.
	retiredProduct, retiredFeed := op.readyPair(t, ns, "retired")
	for _, obj := range []client.Object{retiredProduct, retiredFeed} {
		must(t, op.k8s.Delete(ctx, obj))
	}
	eventually(t, "the retired resources and their products to be gone", func() string {
		for _, obj := range []client.Object{retiredProduct, retiredFeed} {
			if err := op.k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj); !apierrors.IsNotFound(err) {
				return fmt.Sprintf("%s still there (%v)", obj.GetName(), err)
			}
		}
		if op.hasProduct(retiredProduct.Status.ProductKey) || op.hasFeed(retiredFeed.Status.SourceHash) {
			return "the products are still on the platforms"
		}
		return ""
	})
	if n := len(op.iotDeletes(retiredProduct.Status.ProductKey)); n != 1 {
		t.Fatalf("deleting the IoTProduct made %d DeleteProduct calls, want 1", n)
	}
	if n := len(op.feedDeletes(retiredFeed.Status.SourceHash)); n != 1 {
		t.Fatalf("deleting the FlipsnackFeed made %d products.delete calls, want 1", n)
	}

	// The uninstall.
	keptProduct, keptFeed := op.readyPair(t, ns, "kept")
	iotDeletesBefore, feedDeletesBefore := len(op.iotDeletes("")), len(op.feedDeletes(""))
	for _, name := range crdNames {
		must(t, op.k8s.Delete(ctx, crd(name)))
	}
	eventually(t, "the CRDs, and with them every resource, to be gone", func() string {
		for _, name := range crdNames {
			if err := op.k8s.Get(ctx, client.ObjectKey{Name: name}, crd(name)); !apierrors.IsNotFound(err) {
				return fmt.Sprintf("CRD %s still there (%v)", name, err)
			}
		}
		return ""
	})

	if calls := op.iotDeletes(""); len(calls) != iotDeletesBefore {
		t.Errorf("the uninstall made DeleteProduct calls: %+v", calls[iotDeletesBefore:])
	}
	if calls := op.feedDeletes(""); len(calls) != feedDeletesBefore {
		t.Errorf("the uninstall made products.delete calls: %+v", calls[feedDeletesBefore:])
	}
	if !op.hasProduct(keptProduct.Status.ProductKey) {
		t.Errorf("product %s is gone from the IoT platform", keptProduct.Status.ProductKey)
	}
	if !op.hasFeed(keptFeed.Status.SourceHash) {
		t.Errorf("feed %s is gone from Flipsnack", keptFeed.Status.SourceHash)
	}
	for _, obj := range []client.Object{keptProduct, keptFeed} {
		op.waitEvent(t, obj, "Orphaned", "is being deleted (an uninstall)", "stays on the platform")
	}
	for _, kind := range []string{"IoTProduct", "FlipsnackFeed"} {
		checkDeletions(t, kind, map[string]float64{"completed": 1, "orphaned": 1, "failed": 0})
	}
	// The Secrets no resource needs any more are freed, so the namespace can be deleted later.
	for _, name := range []string{"alibaba-credentials", "flipsnack-credentials"} {
		eventually(t, "Secret "+name+" to lose its credentials-in-use finalizer", func() string {
			s := &corev1.Secret{}
			must(t, op.k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, s))
			if len(s.Finalizers) > 0 {
				return fmt.Sprintf("finalizers %v", s.Finalizers)
			}
			return ""
		})
	}
}

// readyPair creates an IoTProduct and a FlipsnackFeed named name and waits until both are Ready.
func (op *operator) readyPair(t *testing.T, ns, name string) (*v1alpha1.IoTProduct, *v1alpha1.FlipsnackFeed) {
	t.Helper()
	p := &v1alpha1.IoTProduct{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.IoTProductSpec{
			ProductName:          name + "_sensor",
			Region:               "cn-shanghai",
			CredentialsSecretRef: &v1alpha1.SecretReference{Name: "alibaba-credentials"},
		},
	}
	f := &v1alpha1.FlipsnackFeed{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.FlipsnackFeedSpec{
			CredentialsSecretRef: v1alpha1.SecretReference{Name: "flipsnack-credentials"},
			Products: []v1alpha1.FeedProduct{
				{Code: name + "-1", Type: "product", Title: "Linen shirt", SellPrice: "39.90", Currency: "EUR"},
				{Code: name + "-2", Type: "product", Title: "Wool scarf", SellPrice: "24.00", Currency: "EUR"},
			},
		},
	}
	for _, obj := range []client.Object{p, f} {
		must(t, op.k8s.Create(context.Background(), obj))
	}
	eventually(t, name+" to be Ready", func() string {
		for _, obj := range []interface {
			client.Object
			GetCommonStatus() *v1alpha1.CommonStatus
		}{p, f} {
			must(t, op.k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj))
			if c := meta.FindStatusCondition(obj.GetCommonStatus().Conditions, v1alpha1.ConditionReady); c == nil || c.Status != metav1.ConditionTrue {
				return fmt.Sprintf("%T Ready = %+v", obj, c)
			}
		}
		return ""
	})
	return p, f
}

func (op *operator) createSecret(t *testing.T, ns, name string, data map[string]string) {
	t.Helper()
	must(t, op.k8s.Create(context.Background(), &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, StringData: data}))
}

// crd is a CustomResourceDefinition by name, to read or delete. Unstructured, because the
// scheme has no apiextensions types (nor needs them: the operator reads only metadata).
func crd(name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"})
	u.SetName(name)
	return u
}

func (op *operator) hasProduct(key string) bool {
	for _, p := range op.iotSim.Products() {
		if p.ProductKey == key {
			return true
		}
	}
	return false
}

func (op *operator) hasFeed(sourceHash string) bool {
	for _, f := range op.fsSim.Feeds() {
		if f.SourceHash == sourceHash && len(f.SKUs) > 0 {
			return true
		}
	}
	return false
}

// iotDeletes are the DeleteProduct calls for productKey ("" for any product).
func (op *operator) iotDeletes(productKey string) []alibabaiot.Call {
	var out []alibabaiot.Call
	for _, c := range op.iotSim.Calls(alibabaiot.ActionDeleteProduct) {
		if productKey == "" || c.Parameters["ProductKey"] == productKey {
			out = append(out, c)
		}
	}
	return out
}

// feedDeletes are the products.delete calls for sourceHash ("" for any feed).
func (op *operator) feedDeletes(sourceHash string) []string {
	var out []string
	for _, c := range op.fsSim.Calls() {
		if c.Action == "products.delete" && (sourceHash == "" || c.Params["sourceHash"] == sourceHash) {
			out = append(out, c.Params["sourceHash"])
		}
	}
	return out
}

// waitEvent waits for an event about obj with the reason whose note contains every part.
func (op *operator) waitEvent(t *testing.T, obj client.Object, reason string, parts ...string) {
	t.Helper()
	eventually(t, fmt.Sprintf("an event %s %q about %s", reason, parts, obj.GetName()), func() string {
		list := &eventsv1.EventList{}
		must(t, op.k8s.List(context.Background(), list, client.InNamespace(obj.GetNamespace())))
		var seen []string
		for _, e := range list.Items {
			if e.Regarding.UID != obj.GetUID() {
				continue
			}
			if e.Reason == reason && containsAll(e.Note, parts) {
				return ""
			}
			seen = append(seen, e.Reason+": "+e.Note)
		}
		return fmt.Sprintf("events %q", seen)
	})
}

// checkDeletions compares prodlife_deletions_total of kind with want, by result.
func checkDeletions(t *testing.T, kind string, want map[string]float64) {
	t.Helper()
	families, err := ctrlmetrics.Registry.Gather()
	must(t, err)
	byName := map[string]*dto.MetricFamily{}
	for _, f := range families {
		byName[f.GetName()] = f
	}
	for result, n := range want {
		// Every kind and result is exported from the start: a series that is not there is not a 0.
		if got, ok := metricstest.Value(byName, "prodlife_deletions_total", map[string]string{"kind": kind, "result": result}); !ok {
			t.Errorf("prodlife_deletions_total{kind=%q,result=%q} is not exported, want %v", kind, result, n)
		} else if got != n {
			t.Errorf("prodlife_deletions_total{kind=%q,result=%q} = %v, want %v", kind, result, got, n)
		}
	}
}

func eventually(t *testing.T, what string, check func() string) {
	t.Helper()
	testenv.Eventually(t, waitFor, what, check)
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
