package controllers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

// newProduct is an IoTProduct with a platform name unique to the test's namespace.
func newProduct(ns, name string, mutate ...func(*v1alpha1.IoTProduct)) *v1alpha1.IoTProduct {
	p := &v1alpha1.IoTProduct{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.IoTProductSpec{
			ProductName:          strings.ReplaceAll(ns+"_"+name, "-", "_"),
			Description:          "made by a test",
			Region:               "cn-shanghai",
			CredentialsSecretRef: &v1alpha1.SecretReference{Name: "alibaba-credentials"},
		},
	}
	for _, m := range mutate {
		m(p)
	}
	return p
}

func deleteAndWaitGone(t *testing.T, obj client.Object) {
	t.Helper()
	must(t, k8s.Delete(context.Background(), obj))
	waitGone(t, obj)
}

func patchSpec(t *testing.T, obj client.Object, patch string) {
	t.Helper()
	must(t, k8s.Patch(context.Background(), obj, client.RawPatch(types.MergePatchType, []byte(patch))))
}

func TestIoTProductIsCreatedAndReportedReady(t *testing.T) {
	ns := newNamespace(t)
	p := newProduct(ns, "sensor")
	must(t, k8s.Create(context.Background(), p))

	ready := waitCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionTrue, "Available")
	key := p.Status.ProductKey
	if key == "" || p.Annotations[v1alpha1.ExternalIDAnnotation] != key {
		t.Fatalf("ProductKey %q in status, %q in the external-id annotation: want the same, non-empty", key, p.Annotations[v1alpha1.ExternalIDAnnotation])
	}
	if _, pending := p.Annotations[v1alpha1.CreatePendingAnnotation]; pending {
		t.Errorf("create-pending annotation left after a successful create")
	}
	if ready.ObservedGeneration != p.Generation || p.Status.ObservedGeneration != p.Generation {
		t.Errorf("observedGeneration %d (condition %d), generation %d", p.Status.ObservedGeneration, ready.ObservedGeneration, p.Generation)
	}
	for _, c := range []string{v1alpha1.ConditionReconciling, v1alpha1.ConditionStalled} {
		if cond := condition(p, c); cond == nil || cond.Status != metav1.ConditionFalse {
			t.Errorf("%s = %+v, want False", c, cond)
		}
	}
	got, ok := productByKey(key)
	if !ok || got.ProductName != p.Spec.ProductName || got.Description != "made by a test" || got.NodeType != 0 || got.DataFormat != 1 {
		t.Fatalf("platform has %+v (found %v), want the spec's product", got, ok)
	}
	if p.Status.ProductStatus != "DEVELOPMENT_STATUS" {
		t.Errorf("status.productStatus = %q", p.Status.ProductStatus)
	}
	created := callsFor("CreateProduct", "")
	var mine int
	for _, c := range created {
		if c.Parameters["ProductName"] == p.Spec.ProductName {
			mine++
		}
	}
	if mine != 1 {
		t.Errorf("CreateProduct called %d times for this product, want 1", mine)
	}
	waitEvent(t, p, "Created: created product "+key, "(RequestId ")
}

// A create whose answer is lost (the call times out after the platform made the product)
// leaves the create-pending mark; the retry finds the product by name instead of making a
// second one.
func TestIoTProductCreateWhoseAnswerIsLostIsAdoptedNotDuplicated(t *testing.T) {
	ns := newNamespace(t)
	must(t, iotSim.SetFaults(alibabaiot.Faults{"CreateProduct": {LatencyMs: int(3 * testTimeout / time.Millisecond), Count: 1}}))
	p := newProduct(ns, "lostanswer")
	must(t, k8s.Create(context.Background(), p))

	waitCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionTrue, "Available")
	if n := len(productsNamed(p.Spec.ProductName)); n != 1 {
		t.Fatalf("%d products named %s on the platform, want exactly 1", n, p.Spec.ProductName)
	}
	if p.Status.ProductKey != productsNamed(p.Spec.ProductName)[0].ProductKey {
		t.Fatalf("adopted %q, the platform's product is %q", p.Status.ProductKey, productsNamed(p.Spec.ProductName)[0].ProductKey)
	}
	waitEvent(t, p, "Adopted", p.Status.ProductKey, "interrupted create")
}

// The state a manager leaves when it dies between the create call and recording the
// identity: our create-pending mark on the object, the product on the platform. A new
// manager must adopt it, not create a second one.
func TestIoTProductCrashAfterCreateIsAdoptedOnRestart(t *testing.T) {
	ns := newNamespace(t)
	p := newProduct(ns, "crashed")
	made, err := iotSim.AddProduct(alibabaiot.Product{ProductName: p.Spec.ProductName, Owner: alibabaKeyID})
	must(t, err)
	p.Annotations = map[string]string{v1alpha1.CreatePendingAnnotation: time.Now().UTC().Format(time.RFC3339)}
	p.Finalizers = []string{v1alpha1.Finalizer}
	must(t, k8s.Create(context.Background(), p))

	waitCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionTrue, "")
	if p.Status.ProductKey != made.ProductKey {
		t.Fatalf("status.productKey %q, want the product the crashed create made, %q", p.Status.ProductKey, made.ProductKey)
	}
	if n := len(productsNamed(p.Spec.ProductName)); n != 1 {
		t.Fatalf("%d products named %s, want 1", n, p.Spec.ProductName)
	}
}

// Our create-pending mark says when our create was sent: a product of that name that the
// platform dates earlier was there before it and belongs to someone else, even though the
// lookup under the mark finds it.
func TestIoTProductOlderThanTheCreatePendingMarkIsNotTakenOver(t *testing.T) {
	ns := newNamespace(t)
	p := newProduct(ns, "older")
	theirs, err := iotSim.AddProduct(alibabaiot.Product{ProductName: p.Spec.ProductName, Owner: alibabaKeyID,
		GmtCreate: time.Now().Add(-2 * time.Hour).UnixMilli()})
	must(t, err)
	p.Annotations = map[string]string{v1alpha1.CreatePendingAnnotation: time.Now().UTC().Format(time.RFC3339)}
	p.Finalizers = []string{v1alpha1.Finalizer}
	must(t, k8s.Create(context.Background(), p))

	waitCondition(t, p, v1alpha1.ConditionStalled, metav1.ConditionTrue, "NameConflict")
	if id := p.Annotations[v1alpha1.ExternalIDAnnotation]; id != "" || p.Status.ProductKey != "" {
		t.Fatalf("took over %s: annotation %q, status %q", theirs.ProductKey, id, p.Status.ProductKey)
	}
	deleteAndWaitGone(t, p)
	if calls := callsFor("DeleteProduct", theirs.ProductKey); len(calls) != 0 {
		t.Fatalf("DeleteProduct called on %s, which was there before the mark: %+v", theirs.ProductKey, calls)
	}
	if _, ok := productByKey(theirs.ProductKey); !ok {
		t.Fatalf("product %s is gone", theirs.ProductKey)
	}
}

// A name already taken on the platform, without our create-pending mark, belongs to
// someone else: a conflict a person must resolve, never a silent takeover.
func TestIoTProductNameTakenByAnotherProductIsAConflict(t *testing.T) {
	ns := newNamespace(t)
	p := newProduct(ns, "taken")
	theirs, err := iotSim.AddProduct(alibabaiot.Product{ProductName: p.Spec.ProductName, Owner: alibabaKeyID})
	must(t, err)
	must(t, k8s.Create(context.Background(), p))

	c := waitCondition(t, p, v1alpha1.ConditionStalled, metav1.ConditionTrue, "NameConflict")
	if !strings.Contains(c.Message, "iot.prod.AlreadyExistedProductName") || !strings.Contains(c.Message, "adopt") {
		t.Errorf("conflict message %q should carry the platform code and say how to adopt", c.Message)
	}
	// Through a few retries: a create-pending mark left behind after the refusal would make
	// the next retry look the name up and take the other product over.
	time.Sleep(2*testSlowRetry + time.Second)
	must(t, k8s.Get(context.Background(), client.ObjectKeyFromObject(p), p))
	if p.Annotations[v1alpha1.ExternalIDAnnotation] != "" || p.Status.ProductKey != "" {
		t.Fatalf("took over %s: annotation %q status %q", theirs.ProductKey, p.Annotations[v1alpha1.ExternalIDAnnotation], p.Status.ProductKey)
	}
	if c := condition(p, v1alpha1.ConditionStalled); c.Status != metav1.ConditionTrue || c.Reason != "NameConflict" {
		t.Fatalf("Stalled = %+v after retries, want True NameConflict", c)
	}
	// Deleting the resource must not delete their product.
	deleteAndWaitGone(t, p)
	if _, ok := productByKey(theirs.ProductKey); !ok {
		t.Fatalf("the other product %s was deleted", theirs.ProductKey)
	}
}

func TestIoTProductAdoptsAnExistingProductWithoutCreating(t *testing.T) {
	ns := newNamespace(t)
	existing, err := iotSim.AddProduct(alibabaiot.Product{ProductName: strings.ReplaceAll(ns, "-", "_") + "_console", Description: "made in the console", Owner: alibabaKeyID})
	must(t, err)
	p := newProduct(ns, "adopt", func(p *v1alpha1.IoTProduct) {
		p.Spec.ProductKey = existing.ProductKey
		p.Spec.ProductName = existing.ProductName
		p.Spec.Description = existing.Description
	})
	must(t, k8s.Create(context.Background(), p))

	waitCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionTrue, "Available")
	if p.Status.ProductKey != existing.ProductKey || p.Annotations[v1alpha1.ExternalIDAnnotation] != existing.ProductKey {
		t.Fatalf("status %q annotation %q, want %q", p.Status.ProductKey, p.Annotations[v1alpha1.ExternalIDAnnotation], existing.ProductKey)
	}
	for _, c := range callsFor("CreateProduct", "") {
		if c.Parameters["ProductName"] == existing.ProductName {
			t.Fatalf("CreateProduct called for an adopted product: %+v", c)
		}
	}
}

func TestIoTProductAdoptingAMissingProductIsStalledNotFound(t *testing.T) {
	ns := newNamespace(t)
	p := newProduct(ns, "missing", func(p *v1alpha1.IoTProduct) { p.Spec.ProductKey = "a1NoSuchProd" })
	must(t, k8s.Create(context.Background(), p))

	waitCondition(t, p, v1alpha1.ConditionStalled, metav1.ConditionTrue, "NotFound")
	ready := condition(p, v1alpha1.ConditionReady)
	if ready.Status != metav1.ConditionFalse || ready.Reason != "NotFound" || !strings.Contains(ready.Message, "a1NoSuchProd") {
		t.Fatalf("Ready = %+v, want False NotFound naming the key", ready)
	}
}

func TestIoTProductSpecChangesArePushedAndDriftIsCorrected(t *testing.T) {
	ns := newNamespace(t)
	p := newProduct(ns, "update")
	must(t, k8s.Create(context.Background(), p))
	waitCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionTrue, "Available")
	key := p.Status.ProductKey

	newName := p.Spec.ProductName + "_v2"
	patchSpec(t, p, `{"spec":{"productName":"`+newName+`","description":"renamed by a test"}}`)
	eventually(t, "the rename to reach the platform", func() string {
		got, _ := productByKey(key)
		if got.ProductName != newName || got.Description != "renamed by a test" {
			return "platform has " + got.ProductName + " / " + got.Description
		}
		return ""
	})
	waitEvent(t, p, "Updated: updated product "+key, "(RequestId ")

	// Someone renames the product in the console; the next resync puts the spec back.
	drift := "changed_in_console"
	_, err := iotSim.PatchProduct(key, alibabaiot.ProductPatch{ProductName: &drift})
	must(t, err)
	eventually(t, "the drift to be corrected on resync", func() string {
		got, _ := productByKey(key)
		if got.ProductName != newName {
			return "platform still has " + got.ProductName
		}
		return ""
	})
	waitCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionTrue, "Available")
}

func TestIoTProductObserveOnlyNeverWrites(t *testing.T) {
	ns := newNamespace(t)
	existing, err := iotSim.AddProduct(alibabaiot.Product{ProductName: strings.ReplaceAll(ns, "-", "_") + "_observed", Description: "console", DeviceCount: 3, Owner: alibabaKeyID})
	must(t, err)
	p := newProduct(ns, "observe", func(p *v1alpha1.IoTProduct) {
		p.Spec.ProductKey = existing.ProductKey
		p.Spec.ManagementPolicy = v1alpha1.ManagementPolicyObserveOnly
		p.Spec.Description = "the spec says otherwise"
	})
	must(t, k8s.Create(context.Background(), p))

	ready := waitCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionTrue, "Observed")
	if !strings.Contains(ready.Message, `description is "console"`) {
		t.Errorf("Ready message %q should report the difference it will not fix", ready.Message)
	}
	if p.Status.DeviceCount == nil || *p.Status.DeviceCount != 3 {
		t.Errorf("status.deviceCount = %v, want what the platform reports, 3", p.Status.DeviceCount)
	}
	time.Sleep(testSyncPeriod + time.Second) // at least one resync
	deleteAndWaitGone(t, p)
	for _, action := range []string{"CreateProduct", "UpdateProduct", "DeleteProduct"} {
		if calls := callsFor(action, existing.ProductKey); len(calls) > 0 {
			t.Errorf("ObserveOnly made %d %s calls", len(calls), action)
		}
	}
	if got, ok := productByKey(existing.ProductKey); !ok || got.Description != "console" {
		t.Fatalf("the observed product changed or went: %+v %v", got, ok)
	}
}

// Resyncs that find nothing to do write nothing: no status patch, no new resourceVersion,
// and only reads reach the platform.
func TestIoTProductResyncWithNothingToDoWritesNothing(t *testing.T) {
	ns := newNamespace(t)
	p := newProduct(ns, "quiet")
	must(t, k8s.Create(context.Background(), p))
	waitCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionTrue, "Available")
	key, version := p.Status.ProductKey, p.ResourceVersion
	queriesBefore := len(callsFor("QueryProduct", key))

	time.Sleep(2*testSyncPeriod + testSyncPeriod/2)
	must(t, k8s.Get(context.Background(), client.ObjectKeyFromObject(p), p))
	if p.ResourceVersion != version {
		t.Fatalf("resourceVersion went from %s to %s over idle resyncs: a reconcile with nothing to do wrote", version, p.ResourceVersion)
	}
	if n := len(callsFor("QueryProduct", key)) - queriesBefore; n < 2 {
		t.Fatalf("%d QueryProduct calls over two sync periods: the product is not being resynced", n)
	}
	if n := len(callsFor("UpdateProduct", key)); n != 0 {
		t.Fatalf("%d UpdateProduct calls for a product that matches its spec", n)
	}
}

// A resync whose read the platform throttles learnt nothing, so it writes nothing either: no
// status patch, no moment of Ready=False. (At rest with many objects, a few percent of
// resyncs meet the platform's per-second limit; each used to cost two status writes.)
func TestIoTProductThrottledResyncWritesNothing(t *testing.T) {
	ns := newNamespace(t)
	p := newProduct(ns, "throttled-resync")
	must(t, k8s.Create(context.Background(), p))
	waitCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionTrue, "Available")
	key, version := p.Status.ProductKey, p.ResourceVersion
	queries := func(throttled bool) int {
		n := 0
		for _, c := range callsFor("QueryProduct", key) {
			if strings.HasPrefix(c.Code, "Throttling") == throttled {
				n++
			}
		}
		return n
	}

	t.Cleanup(iotSim.ClearFaults)
	throttledBefore := queries(true)
	must(t, iotSim.SetFaults(alibabaiot.Faults{"QueryProduct": {ErrorRate: 1, Code: "Throttling.User"}}))
	eventually(t, "throttled resyncs", func() string {
		if n := queries(true) - throttledBefore; n < 3 {
			return fmt.Sprintf("%d throttled QueryProduct calls", n)
		}
		return ""
	})
	iotSim.ClearFaults()
	answeredBefore := queries(false)
	eventually(t, "an answered resync after the throttling", func() string {
		if queries(false) == answeredBefore {
			return "no answered QueryProduct yet"
		}
		return ""
	})
	must(t, k8s.Get(context.Background(), client.ObjectKeyFromObject(p), p))
	if p.ResourceVersion != version {
		ready := condition(p, v1alpha1.ConditionReady)
		t.Fatalf("resourceVersion went from %s to %s over throttled resyncs (Ready now %s %s, last transition %s): a read that learnt nothing wrote",
			version, p.ResourceVersion, ready.Status, ready.Reason, ready.LastTransitionTime)
	}
}

// A throttled read leaves alone only a status that says Ready: one that reports a problem is
// rewritten, since the problem may be gone. Here the credentials are fixed while every
// QueryProduct is throttled: Stalled must not stay True on the word of a stale status.
func TestIoTProductThrottledReadAfterAFixClearsStalled(t *testing.T) {
	ns := newNamespace(t)
	ctx := context.Background()
	p := newProduct(ns, "fixed-while-throttled")
	must(t, k8s.Create(ctx, p))
	waitCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionTrue, "Available")

	secret := &corev1.Secret{}
	must(t, k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "alibaba-credentials"}, secret))
	secret.Data = map[string][]byte{"accessKeyId": []byte(alibabaKeyID)}
	must(t, k8s.Update(ctx, secret))
	waitCondition(t, p, v1alpha1.ConditionStalled, metav1.ConditionTrue, "CredentialsError")

	t.Cleanup(iotSim.ClearFaults)
	must(t, iotSim.SetFaults(alibabaiot.Faults{"QueryProduct": {ErrorRate: 1, Code: "Throttling.User"}}))
	secret.Data["accessKeySecret"] = []byte(alibabaSecret)
	must(t, k8s.Update(ctx, secret))
	waitCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionFalse, "ObserveFailed")
	if c := condition(p, v1alpha1.ConditionStalled); c.Status != metav1.ConditionFalse {
		t.Errorf("Stalled = %s %s %q while the fixed credentials wait out throttling, want False", c.Status, c.Reason, c.Message)
	}
	iotSim.ClearFaults()
	waitCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionTrue, "Available")
}
