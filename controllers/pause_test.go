package controllers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

// A paused resource gets no platform call: a spec change waits, a deletion waits (saying
// how to get out), Argo CD shows it Suspended; removing the annotation resumes at once, and
// the deletion completes with one DeleteProduct.
func TestAPausedResourceCallsNoPlatformUntilResumed(t *testing.T) {
	ctx := context.Background()
	p, key := readyProduct(t, newNamespace(t), "paused")
	annotate := func(value string) {
		t.Helper()
		body := `{"metadata":{"annotations":{"` + v1alpha1.PausedAnnotation + `":` + value + `}}}`
		must(t, k8s.Patch(ctx, p, client.RawPatch(types.MergePatchType, []byte(body))))
	}
	annotate(`"true"`)
	waitCondition(t, p, v1alpha1.ConditionPaused, metav1.ConditionTrue, "Paused")
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(p)
	must(t, err)
	checkArgoHealth(t, &unstructured.Unstructured{Object: u}, "Suspended", "paused by the annotation")

	before := len(iotSim.Calls(""))
	must(t, k8s.Patch(ctx, p, client.RawPatch(types.MergePatchType, []byte(`{"spec":{"description":"changed while paused"}}`))))
	must(t, k8s.Delete(ctx, p))
	eventually(t, "the paused deletion to say it waits", func() string {
		must(t, k8s.Get(ctx, client.ObjectKeyFromObject(p), p))
		if c := condition(p, v1alpha1.ConditionPaused); c == nil || !strings.Contains(c.Message, "the deletion waits") {
			return "no Paused condition saying the deletion waits"
		}
		return ""
	})
	time.Sleep(2 * time.Second) // what a paused resource would have called by now
	if calls := iotSim.Calls("")[before:]; len(callsOf(calls, key)) != 0 {
		t.Fatalf("a paused resource reached the platform: %+v", callsOf(calls, key))
	}
	if got, ok := productByKey(key); !ok || got.Description == "changed while paused" {
		t.Fatalf("the product while paused: %+v (found %v), want it untouched", got, ok)
	}

	annotate(`null`)
	waitGone(t, p)
	if calls := callsFor(alibabaiot.ActionDeleteProduct, key); len(calls) != 1 || calls[0].Code != alibabaiot.CodeOK {
		t.Errorf("DeleteProduct calls after the pause was lifted: %+v, want one answered OK", calls)
	}
}

func callsOf(calls []alibabaiot.Call, productKey string) []alibabaiot.Call {
	var out []alibabaiot.Call
	for _, c := range calls {
		if c.Parameters["ProductKey"] == productKey {
			out = append(out, c)
		}
	}
	return out
}

// Setting prodlife.dev/reconcile-requested-at to a new value reconciles the resource at once,
// reading the platform again, and status.lastHandledReconcileAt echoes the value.
func TestARequestedReconcileReadsThePlatformAtOnce(t *testing.T) {
	p, key := readyProduct(t, newNamespace(t), "requested")
	for _, value := range []string{"2026-12-07T10:00:00Z", "again"} {
		reads := len(callsFor(alibabaiot.ActionQueryProduct, key))
		requestReconcile(t, p, value)
		if n := len(callsFor(alibabaiot.ActionQueryProduct, key)); n <= reads {
			t.Errorf("request %s: QueryProduct called %d times before and %d after; want a fresh read", value, reads, n)
		}
	}
	deleteAndWaitGone(t, p)
}

// requestReconcile sets prodlife.dev/reconcile-requested-at to value on obj and waits until
// status.lastHandledReconcileAt echoes it; obj is then as the API server has it.
func requestReconcile(t *testing.T, obj managedObject, value string) {
	t.Helper()
	ctx := context.Background()
	body := `{"metadata":{"annotations":{"` + v1alpha1.ReconcileRequestedAtAnnotation + `":"` + value + `"}}}`
	must(t, k8s.Patch(ctx, obj, client.RawPatch(types.MergePatchType, []byte(body))))
	eventually(t, "the request "+value+" to be handled", func() string {
		must(t, k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj))
		if got := obj.GetCommonStatus().LastHandledReconcileAt; got != value {
			return "status.lastHandledReconcileAt is " + got
		}
		return ""
	})
}

type managedObject interface {
	client.Object
	GetCommonStatus() *v1alpha1.CommonStatus
}
