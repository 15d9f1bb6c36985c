package controllers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/internal/simulator/alibabaiot"
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
