package controllers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

func protected(p *v1alpha1.IoTProduct) { p.Spec.DeletionProtection = true }

// refusedDelete deletes obj and returns the API server's refusal; it retries briefly because
// a policy takes effect a moment after it is created.
func refusedDelete(t *testing.T, obj client.Object) error {
	t.Helper()
	var err error
	deadline := time.Now().Add(10 * time.Second)
	for {
		err = k8s.Delete(context.Background(), obj, client.DryRunAll)
		if err != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err == nil {
		t.Fatalf("deleting %s was allowed; deletionProtection must refuse it", obj.GetName())
	}
	return k8s.Delete(context.Background(), obj)
}

// A protected object survives a delete: the API server refuses it with a message that says how
// to proceed, nothing reaches the platform, and once the flag is cleared the delete works.
func TestDeletionProtectionRefusesDeleteUntilCleared(t *testing.T) {
	ns := newNamespace(t)
	p, key := readyProduct(t, ns, "guarded", protected)

	err := refusedDelete(t, p)
	if !apierrors.IsForbidden(err) && !apierrors.IsInvalid(err) {
		t.Fatalf("delete answered %v, want a refusal", err)
	}
	want := fmt.Sprintf(`kubectl patch iotproduct %s -n %s --type merge -p '{"spec":{"deletionProtection":false}}'`, p.Name, ns)
	if !strings.Contains(err.Error(), "deletionProtection: true") || !strings.Contains(err.Error(), want) {
		t.Fatalf("refusal %q should say the object is protected and how to proceed (%s)", err, want)
	}
	time.Sleep(time.Second) // give a wrongly allowed deletion time to show
	must(t, k8s.Get(context.Background(), client.ObjectKeyFromObject(p), p))
	if p.DeletionTimestamp != nil {
		t.Fatalf("the protected object is being deleted")
	}
	if len(callsFor("DeleteProduct", key)) != 0 {
		t.Fatalf("DeleteProduct was called for a protected product")
	}

	patchSpec(t, p, `{"spec":{"deletionProtection":false}}`)
	deleteAndWaitGone(t, p)
	if _, ok := productByKey(key); ok {
		t.Fatalf("product still on the platform after the deletion was allowed")
	}
}

// The policy covers feeds too.
func TestDeletionProtectionCoversFeeds(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	f := newFeed(ns, "guarded", func(f *v1alpha1.FlipsnackFeed) { f.Spec.DeletionProtection = true })
	hash := readyFeed(t, f)
	if err := refusedDelete(t, f); !strings.Contains(fmt.Sprint(err), "kubectl patch flipsnackfeed guarded") {
		t.Fatalf("delete answered %v, want the protection's refusal", err)
	}
	updateFeed(t, f, func(f *v1alpha1.FlipsnackFeed) { f.Spec.DeletionProtection = false })
	deleteAndWaitGone(t, f)
	if _, ok := simFeed(hash); ok {
		t.Fatalf("feed still on the platform")
	}
}

// A namespace holding a protected object stays Terminating: the namespace controller's delete
// is refused too. The object says why and how to let both go; clearing the flag lets the
// namespace deletion finish, product included.
// The object says so in Stalled (an event cannot be created in a terminating namespace).
// The namespace controller deletes a kind's objects in one deletecollection, which stops at
// the first refusal, so an unprotected neighbour may wait too: only the end state is asserted.
func TestNamespaceWithAProtectedObjectWaitsForTheFlag(t *testing.T) {
	ns := newNamespace(t)
	p, key := readyProduct(t, ns, "keeper", protected)
	_, other := readyProduct(t, ns, "other")

	must(t, k8s.Delete(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}))
	stalled := waitCondition(t, p, v1alpha1.ConditionStalled, metav1.ConditionTrue, engine.ReasonDeletionProtected)
	for _, want := range []string{"namespace " + ns + " is being deleted", `kubectl patch iotproduct keeper -n ` + ns} {
		if !strings.Contains(stalled.Message, want) {
			t.Fatalf("Stalled message %q does not say %q", stalled.Message, want)
		}
	}
	nsObj := &corev1.Namespace{}
	must(t, k8s.Get(context.Background(), client.ObjectKey{Name: ns}, nsObj))
	if nsObj.DeletionTimestamp == nil {
		t.Fatalf("namespace is not terminating")
	}
	must(t, k8s.Get(context.Background(), client.ObjectKeyFromObject(p), p))
	if _, ok := productByKey(key); !ok || p.DeletionTimestamp != nil {
		t.Fatalf("the protected product was touched (on platform: %v, deletionTimestamp %v)", ok, p.DeletionTimestamp)
	}

	patchSpec(t, p, `{"spec":{"deletionProtection":false}}`)
	deadline := time.Now().Add(2 * waitFor) // the namespace controller retries with its own backoff
	for {
		err := k8s.Get(context.Background(), client.ObjectKey{Name: ns}, nsObj)
		if apierrors.IsNotFound(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("namespace still there after the flag was cleared: %+v", nsObj.Status)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, k := range []string{key, other} {
		if _, ok := productByKey(k); ok {
			t.Fatalf("product %s still on the platform after its namespace was deleted", k)
		}
	}
}

// With deletionGuard RefuseIfDevices, a product that has devices is not deleted: the object
// stays, Stalled, with a message naming the count and the ways out; each way out releases it.
func TestDeletionGuardHoldsWhileDevicesRemain(t *testing.T) {
	for _, way := range []string{"devices removed", "guard dropped", "orphaned"} {
		t.Run(way, func(t *testing.T) {
			ns := newNamespace(t)
			p, key := readyProduct(t, ns, "fleet", func(p *v1alpha1.IoTProduct) {
				p.Spec.DeletionGuard = v1alpha1.DeletionGuardRefuseIfDevices
			})
			devices := 3
			_, err := iotSim.PatchProduct(key, alibabaiot.ProductPatch{DeviceCount: &devices})
			must(t, err)

			must(t, k8s.Delete(context.Background(), p))
			ready := waitCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionFalse, engine.ReasonDeletionGuarded)
			for _, want := range []string{"3 device(s)", "remove the devices", "deletionGuard to None", "deletionPolicy to Orphan"} {
				if !strings.Contains(ready.Message, want) {
					t.Fatalf("DeletionGuarded message %q does not say %q", ready.Message, want)
				}
			}
			if c := condition(p, v1alpha1.ConditionStalled); c.Status != metav1.ConditionTrue {
				t.Fatalf("Stalled = %+v, want True: only a person can release a guarded product", c)
			}
			waitEvent(t, p, engine.ReasonDeletionGuarded, "3 device(s)")
			if n := len(callsFor("DeleteProduct", key)); n != 0 {
				t.Fatalf("%d DeleteProduct calls for a guarded product", n)
			}

			switch way {
			case "devices removed":
				none := 0
				_, err := iotSim.PatchProduct(key, alibabaiot.ProductPatch{DeviceCount: &none})
				must(t, err)
			case "guard dropped":
				patchSpec(t, p, `{"spec":{"deletionGuard":"None"}}`)
			case "orphaned":
				patchSpec(t, p, `{"spec":{"deletionPolicy":"Orphan"}}`)
			}
			waitGone(t, p)
			_, onPlatform := productByKey(key)
			if onPlatform != (way == "orphaned") {
				t.Fatalf("product on the platform: %v after %s", onPlatform, way)
			}
		})
	}
}
