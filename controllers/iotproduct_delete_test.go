package controllers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/internal/alibaba"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

// readyProduct creates an IoTProduct and waits until its product exists on the platform.
func readyProduct(t *testing.T, ns, name string, mutate ...func(*v1alpha1.IoTProduct)) (*v1alpha1.IoTProduct, string) {
	t.Helper()
	p := newProduct(ns, name, mutate...)
	must(t, k8s.Create(context.Background(), p))
	waitCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionTrue, "Available")
	return p, p.Status.ProductKey
}

func TestIoTProductDeleteCallsDeleteProductOnceAndReleases(t *testing.T) {
	ns := newNamespace(t)
	p, key := readyProduct(t, ns, "deleteme")

	deleteAndWaitGone(t, p)
	if _, ok := productByKey(key); ok {
		t.Fatalf("product %s still on the platform after the resource went", key)
	}
	if calls := callsFor("DeleteProduct", key); len(calls) != 1 || calls[0].Code != alibabaiot.CodeOK {
		t.Fatalf("DeleteProduct calls for %s: %+v, want exactly one that succeeded", key, calls)
	}
	waitEvent(t, p, "Deleted: deleted product "+key, "(RequestId "+callsFor("DeleteProduct", key)[0].RequestID+")")
}

func TestIoTProductAlreadyGoneFromThePlatformCountsAsDeleted(t *testing.T) {
	ns := newNamespace(t)
	p, key := readyProduct(t, ns, "gone")
	// Someone deletes it in the console first: the platform answers NotExistedProduct.
	removeFromPlatform(t, key)

	deleteAndWaitGone(t, p)
	calls := callsFor("DeleteProduct", key)
	if len(calls) == 0 || calls[len(calls)-1].Code != "iot.prod.NotExistedProduct" {
		t.Fatalf("DeleteProduct calls %+v: want the platform's NotExistedProduct, taken as success", calls)
	}
	waitEvent(t, p, "Deleted", key, "already gone")
}

func TestIoTProductOrphanAndNeverCreatedGoWithoutAnAPICall(t *testing.T) {
	ns := newNamespace(t)
	orphan, key := readyProduct(t, ns, "orphan", func(p *v1alpha1.IoTProduct) { p.Spec.DeletionPolicy = v1alpha1.DeletionPolicyOrphan })

	// Never created: its Secret does not exist, so it never got past the credentials.
	never := newProduct(ns, "never", func(p *v1alpha1.IoTProduct) { p.Spec.CredentialsSecretRef.Name = "no-such-secret" })
	must(t, k8s.Create(context.Background(), never))
	waitCondition(t, never, v1alpha1.ConditionReady, metav1.ConditionFalse, "CredentialsError")

	deleteAndWaitGone(t, orphan)
	deleteAndWaitGone(t, never)
	if calls := callsFor("DeleteProduct", key); len(calls) != 0 {
		t.Fatalf("Orphan made DeleteProduct calls: %+v", calls)
	}
	if _, ok := productByKey(key); !ok {
		t.Fatalf("the orphaned product %s left the platform", key)
	}
	for _, c := range iotSim.Calls("") {
		if c.Parameters["ProductName"] == never.Spec.ProductName {
			t.Fatalf("a never-created product made a call: %+v", c)
		}
	}
	waitEvent(t, orphan, "Orphaned", key)
	waitEvent(t, never, "NothingToDelete")
}

// Throttling and server errors keep the finalizer and are retried with backoff until the
// delete succeeds; meanwhile the status says what the platform answered.
func TestIoTProductDeleteRetriesThrottlingAndServerErrors(t *testing.T) {
	for _, code := range []string{"Throttling.User", "ServiceUnavailable", "iot.system.SystemException"} {
		t.Run(code, func(t *testing.T) {
			ns := newNamespace(t)
			p, key := readyProduct(t, ns, "retry")
			must(t, iotSim.SetFaults(alibabaiot.Faults{"DeleteProduct": {ErrorRate: 1, Code: code, LatencyMs: 300, Count: 4}}))
			defer iotSim.ClearFaults()
			before := managerWrites.of(p)
			must(t, k8s.Delete(context.Background(), p))

			// Throttling is the platform asking for patience: the deletion stays in progress.
			// Server errors are failures, retried.
			reason := "DeleteFailed"
			if code == "Throttling.User" {
				reason = "Deleting"
			}
			ready := waitCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionFalse, reason)
			if !strings.Contains(ready.Message, code) {
				t.Errorf("%s message %q should carry the code %s", reason, ready.Message, code)
			}
			// A failure's message carries its RequestId; a wait's does not, so that it reads
			// the same at every throttled pass and the status is written once.
			if withID := strings.Contains(ready.Message, "RequestId "); withID != (reason == "DeleteFailed") {
				t.Errorf("%s message %q: RequestId in it %v, want %v", reason, ready.Message, withID, !withID)
			}
			if c := condition(p, v1alpha1.ConditionReconciling); c.Status != metav1.ConditionTrue {
				t.Errorf("Reconciling = %+v while retrying, want True", c)
			}
			if c := condition(p, v1alpha1.ConditionStalled); c.Status != metav1.ConditionFalse {
				t.Errorf("Stalled = %+v for a retryable failure, want False", c)
			}
			if !contains(p.Finalizers, v1alpha1.Finalizer) {
				t.Fatalf("finalizer dropped while the product still exists")
			}
			waitGone(t, p)
			calls := callsFor("DeleteProduct", key)
			if len(calls) != 5 || calls[4].Code != alibabaiot.CodeOK {
				t.Fatalf("DeleteProduct calls: %d (last %+v), want 4 failures then 1 success", len(calls), calls[len(calls)-1])
			}
			if _, ok := productByKey(key); ok {
				t.Fatalf("product still on the platform")
			}
			if w := warnings(t, p); code == "Throttling.User" && len(w) > 0 {
				t.Fatalf("warning events for throttling %q: it is not a failure", w)
			}
			// Four answers alike, each with a RequestId of its own, are one failure: its
			// status is written and its warning raised once (twice when a retry starts from a
			// cache that has not seen the first write yet), not once per retry.
			waitEvent(t, p, "Deleted")
			if writes := managerWrites.of(p).minus(before); writes.status > 2 {
				t.Errorf("%d status writes for 4 answers %s alike, want 1 (2 at most)", writes.status, code)
			}
			if w := warnings(t, p); len(w) > 2 {
				t.Errorf("%d warnings for 4 answers %s alike, want 1 (2 at most): %q", len(w), code, w)
			}
		})
	}
}

// Credentials the platform refuses stall the deletion with a message a person can act on,
// without hot-looping; patching deletionPolicy to Orphan lets the object go.
func TestIoTProductDeleteWithRefusedCredentialsStallsUntilOrphaned(t *testing.T) {
	ns := newNamespace(t)
	p, key := readyProduct(t, ns, "stuck")
	createSecret(t, ns, "rotated-badly", map[string]string{"accessKeyId": alibabaKeyID, "accessKeySecret": "wrong-secret-value-1234"})
	patchSpec(t, p, `{"spec":{"credentialsSecretRef":{"name":"rotated-badly"}}}`)
	must(t, k8s.Delete(context.Background(), p))

	stalled := waitCondition(t, p, v1alpha1.ConditionStalled, metav1.ConditionTrue, "DeleteFailed")
	for _, want := range []string{"SignatureDoesNotMatch", "credentials", "deletionPolicy to Orphan"} {
		if !strings.Contains(stalled.Message, want) {
			t.Errorf("Stalled message %q should mention %q", stalled.Message, want)
		}
	}
	if strings.Contains(stalled.Message, "wrong-secret-value-1234") {
		t.Fatalf("the secret leaked into the status")
	}
	// Slow retry, not a hot loop: at most a few calls over two slow-retry periods.
	before := len(callsFor("DeleteProduct", key))
	time.Sleep(2 * testSlowRetry)
	if n := len(callsFor("DeleteProduct", key)) - before; n > 3 {
		t.Errorf("%d DeleteProduct calls in %v of a terminal failure: that is a hot loop", n, 2*testSlowRetry)
	}

	patchSpec(t, p, `{"spec":{"deletionPolicy":"Orphan"}}`)
	waitGone(t, p)
	if _, ok := productByKey(key); !ok {
		t.Fatalf("the orphaned product %s left the platform", key)
	}
	for _, e := range events(t, p) {
		if strings.Contains(e, "wrong-secret-value-1234") {
			t.Fatalf("the secret leaked into an event: %s", e)
		}
	}
}

// removeFromPlatform deletes a product behind the operator's back, through the platform's
// API as any other tool would.
func removeFromPlatform(t *testing.T, key string) {
	t.Helper()
	clients, err := alibaba.NewClientSet(alibaba.Options{Endpoint: iotURL})
	must(t, err)
	c, err := clients.For(&alibaba.Credentials{AccessKeyID: alibabaKeyID, AccessKeySecret: alibabaSecret}, "cn-shanghai")
	must(t, err)
	_, err = c.DeleteProduct(context.Background(), key)
	must(t, err)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
