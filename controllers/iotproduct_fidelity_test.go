package controllers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

// A spec without a description leaves the product's own description as the platform has it:
// the platform cannot clear one (UpdateProduct takes 1 to 100 characters), so the operator
// never sends an empty Description and does not report the difference as drift.
func TestIoTProductWithoutDescriptionKeepsThePlatformsOwn(t *testing.T) {
	ns := newNamespace(t)
	existing, err := iotSim.AddProduct(alibabaiot.Product{ProductName: strings.ReplaceAll(ns, "-", "_") + "_kept", Description: "made in the console", Owner: alibabaKeyID})
	must(t, err)
	p := newProduct(ns, "kept", func(p *v1alpha1.IoTProduct) {
		p.Spec.ProductKey = existing.ProductKey
		p.Spec.ProductName = existing.ProductName
		p.Spec.Description = ""
	})
	must(t, k8s.Create(context.Background(), p))
	waitCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionTrue, "Available")

	// A rename is pushed with the name alone.
	patchSpec(t, p, `{"spec":{"productName":"`+existing.ProductName+`_2"}}`)
	eventually(t, "the rename pushed", func() string {
		if got, _ := productByKey(existing.ProductKey); got.ProductName != existing.ProductName+"_2" {
			return "platform has " + got.ProductName
		}
		return ""
	})
	time.Sleep(testSyncPeriod) // a resync, which must not see drift
	waitCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionTrue, "Available")
	calls := callsFor("UpdateProduct", existing.ProductKey)
	if len(calls) != 1 {
		t.Errorf("%d UpdateProduct calls, want 1 (the rename): a description left out is no drift to correct; events %q", len(calls), events(t, p))
	}
	for _, c := range calls {
		if d, ok := c.Parameters["Description"]; ok {
			t.Errorf("UpdateProduct sent Description %q: %+v", d, c)
		}
		if c.Code != alibabaiot.CodeOK {
			t.Errorf("UpdateProduct answered %s: %+v", c.Code, c)
		}
	}
	if got, _ := productByKey(existing.ProductKey); got.Description != "made in the console" {
		t.Fatalf("the platform's description is %q, want it kept", got.Description)
	}
}

// A product belongs to one account and one instance; any other credentials are answered "no
// such product" whether or not it exists. So a deletion answered iot.prod.NotExistedProduct
// with credentials other than those that created the product is not counted as done: the
// object stays, Stalled, saying what to do, until deletionPolicy is set to Orphan.
func TestIoTProductNotFoundWithOtherCredentialsIsNotADeletion(t *testing.T) {
	ns := newNamespace(t)
	p, key := readyProduct(t, ns, "switched")
	fp := p.Status.CredentialsFingerprint
	if len(fp) != 8 || strings.Contains(fp, alibabaKeyID) {
		t.Fatalf("status.credentialsFingerprint = %q, want 8 hex digits", fp)
	}

	// The Secret now holds another account's key (the operator's own, in the simulator).
	secret := &corev1.Secret{}
	must(t, k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "alibaba-credentials"}, secret))
	secret.Data = map[string][]byte{"accessKeyId": []byte(chainKeyID), "accessKeySecret": []byte(chainSecret)}
	must(t, k8s.Update(context.Background(), secret))
	must(t, k8s.Delete(context.Background(), p))

	stalled := waitCondition(t, p, v1alpha1.ConditionStalled, metav1.ConditionTrue, "NotFoundElsewhere")
	for _, want := range []string{"product " + key + " not found with other credentials than those that created it", "deletionPolicy: Orphan", "iot.prod.NotExistedProduct"} {
		if !strings.Contains(stalled.Message, want) {
			t.Errorf("Stalled message %q should say %q", stalled.Message, want)
		}
	}
	for _, secretText := range []string{chainSecret, alibabaSecret, chainKeyID, alibabaKeyID} {
		if strings.Contains(stalled.Message, secretText) {
			t.Fatalf("the credentials leaked into the status: %q", stalled.Message)
		}
	}
	calls := callsFor("DeleteProduct", key)
	if len(calls) == 0 || calls[0].AccessKeyID != chainKeyID || calls[0].Code != alibabaiot.CodeNotExistedProduct {
		t.Fatalf("DeleteProduct calls %+v: want the other account's, answered NotExistedProduct", calls)
	}
	time.Sleep(testSlowRetry)
	must(t, k8s.Get(context.Background(), client.ObjectKeyFromObject(p), p))
	if !contains(p.Finalizers, v1alpha1.Finalizer) {
		t.Fatalf("the object was released on a NotExistedProduct from other credentials")
	}
	if _, ok := productByKey(key); !ok {
		t.Fatalf("product %s left the platform", key)
	}

	patchSpec(t, p, `{"spec":{"deletionPolicy":"Orphan"}}`)
	waitGone(t, p)
	waitEvent(t, p, "Orphaned", key)
	if _, ok := productByKey(key); !ok {
		t.Fatalf("the orphaned product %s left the platform", key)
	}
}

// Whatever the platform answers a DeleteProduct with, a code the operator does not know
// included, the object is never released silently: the condition carries the platform's code
// and message, and the deletion goes through once the platform accepts it.
func TestIoTProductDeleteRefusedWithAnUnknownCodeIsReportedNotReleased(t *testing.T) {
	ns := newNamespace(t)
	p, key := readyProduct(t, ns, "refused")
	const code, message = "iot.prod.ProductHasDevicesRefused", "The product still has devices."
	must(t, iotSim.SetFaults(alibabaiot.Faults{"DeleteProduct": {ErrorRate: 1, Code: code, Message: message}}))
	defer iotSim.ClearFaults()
	must(t, k8s.Delete(context.Background(), p))

	stalled := waitCondition(t, p, v1alpha1.ConditionStalled, metav1.ConditionTrue, "DeleteFailed")
	for _, want := range []string{code, message, "RequestId ", "deletionPolicy to Orphan"} {
		if !strings.Contains(stalled.Message, want) {
			t.Errorf("Stalled message %q should carry %q", stalled.Message, want)
		}
	}
	if ready := condition(p, v1alpha1.ConditionReady); ready.Status != metav1.ConditionFalse || ready.Reason != "DeleteFailed" {
		t.Errorf("Ready = %+v, want False DeleteFailed", ready)
	}
	waitEvent(t, p, "DeleteFailed", code)
	if !contains(p.Finalizers, v1alpha1.Finalizer) {
		t.Fatalf("finalizer dropped on a refused delete")
	}
	if _, ok := productByKey(key); !ok {
		t.Fatalf("product %s left the platform", key)
	}

	iotSim.ClearFaults()
	waitGone(t, p)
	if _, ok := productByKey(key); ok {
		t.Fatalf("product %s still on the platform after the refusal ended", key)
	}
}

// What a create sends for the edition: the thing-model edition, iothub_senior, with the data
// format of the spec (the only value CreateProduct accepts for AliyunCommodityCode, and the
// only edition that has a data format); never iothub.
func TestIoTProductCreateSendsTheThingModelEditionWithItsDataFormat(t *testing.T) {
	ns := newNamespace(t)
	p, key := readyProduct(t, ns, "custom", func(p *v1alpha1.IoTProduct) { p.Spec.DataFormat = v1alpha1.DataFormatCustom })
	var sent map[string]string
	for _, c := range iotSim.Calls("CreateProduct") {
		if c.Parameters["ProductName"] == p.Spec.ProductName && c.Code == alibabaiot.CodeOK {
			sent = c.Parameters
		}
	}
	if sent["AliyunCommodityCode"] != "iothub_senior" || sent["DataFormat"] != "0" {
		t.Fatalf("CreateProduct sent %v, want AliyunCommodityCode iothub_senior and DataFormat 0", sent)
	}
	if got, _ := productByKey(key); got.AliyunCommodityCode != "iothub_senior" || got.DataFormat != 0 {
		t.Fatalf("the platform has %+v", got)
	}
}

// An object with no record of the credentials that see its product (one from before the
// record existed) reads the product before deleting it: credentials that see it delete it as
// usual; a "not found" is then not taken for a deletion, since nothing says these credentials
// ever could see it.
func TestIoTProductWithoutCredentialsRecordReadsBeforeDeleting(t *testing.T) {
	ns := newNamespace(t)
	clearRecord := func(p *v1alpha1.IoTProduct) {
		t.Helper()
		eventually(t, "status.credentialsFingerprint cleared", func() string {
			must(t, k8s.Get(context.Background(), client.ObjectKeyFromObject(p), p))
			if p.Status.CredentialsFingerprint == "" {
				return ""
			}
			p.Status.CredentialsFingerprint = ""
			if err := k8s.Status().Update(context.Background(), p); err != nil {
				return err.Error()
			}
			return "cleared; checking again"
		})
	}

	// Same credentials: read, then deleted.
	seen, seenKey := readyProduct(t, ns, "legacyseen")
	clearRecord(seen)
	deleteAndWaitGone(t, seen)
	if _, ok := productByKey(seenKey); ok {
		t.Fatalf("product %s still on the platform", seenKey)
	}

	// Other credentials and no record: not found is not a deletion.
	other, otherKey := readyProduct(t, ns, "legacyother")
	secret := &corev1.Secret{}
	must(t, k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "alibaba-credentials"}, secret))
	secret.Data = map[string][]byte{"accessKeyId": []byte(chainKeyID), "accessKeySecret": []byte(chainSecret)}
	must(t, k8s.Update(context.Background(), secret))
	waitCondition(t, other, v1alpha1.ConditionStalled, metav1.ConditionTrue, "NotFound") // the switch is seen
	clearRecord(other)
	must(t, k8s.Delete(context.Background(), other))
	stalled := waitCondition(t, other, v1alpha1.ConditionStalled, metav1.ConditionTrue, "NotFoundElsewhere")
	for _, want := range []string{"product " + otherKey + " not found", "no record of the credentials that created it", "deletionPolicy: Orphan"} {
		if !strings.Contains(stalled.Message, want) {
			t.Errorf("Stalled message %q should say %q", stalled.Message, want)
		}
	}
	if calls := callsFor("DeleteProduct", otherKey); len(calls) != 0 {
		t.Errorf("DeleteProduct called with credentials that do not see the product: %+v", calls)
	}
	patchSpec(t, other, `{"spec":{"deletionPolicy":"Orphan"}}`)
	waitGone(t, other)
	if _, ok := productByKey(otherKey); !ok {
		t.Fatalf("the orphaned product %s left the platform", otherKey)
	}
}
