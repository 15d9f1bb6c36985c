package prodlifetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// WaitTimeout bounds WaitForCondition and WaitForDeletion.
const WaitTimeout = 60 * time.Second

// WaitForCondition waits until obj (an IoTProduct or FlipsnackFeed; its namespace and name
// are read) reports the condition condType (e.g. "Ready", "Stalled") with status, reading
// it into obj, and fails the test after WaitTimeout with the condition last seen.
func (e *Env) WaitForCondition(t testing.TB, obj client.Object, condType string, status metav1.ConditionStatus) {
	t.Helper()
	e.wait(t, fmt.Sprintf("%s=%s", condType, status), obj, func() (bool, string, error) {
		if err := e.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
			return false, "", err
		}
		cond, err := condition(obj, condType)
		if err != nil {
			return false, "", err
		}
		if cond == nil {
			return false, "no " + condType + " condition", nil
		}
		last := fmt.Sprintf("%s=%s %s: %s", cond.Type, cond.Status, cond.Reason, cond.Message)
		return cond.Status == status && cond.ObservedGeneration == obj.GetGeneration(), last, nil
	})
}

// WaitForDeletion waits until obj is gone from the API server (the operator's finalizer
// done), and fails the test after WaitTimeout with its Ready condition last seen.
func (e *Env) WaitForDeletion(t testing.TB, obj client.Object) {
	t.Helper()
	e.wait(t, "deletion", obj, func() (bool, string, error) {
		err := e.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)
		if apierrors.IsNotFound(err) {
			return true, "", nil
		}
		if err != nil {
			return false, "", err
		}
		last := "still there"
		if cond, _ := condition(obj, "Ready"); cond != nil {
			last = fmt.Sprintf("still there, Ready=%s %s: %s", cond.Status, cond.Reason, cond.Message)
		}
		return false, last, nil
	})
}

func (e *Env) wait(t testing.TB, what string, obj client.Object, check func() (done bool, last string, err error)) {
	t.Helper()
	deadline := time.Now().Add(WaitTimeout)
	last := ""
	for {
		done, seen, err := check()
		switch {
		case done:
			return
		case err != nil:
			last = err.Error()
		default:
			last = seen
		}
		if time.Now().After(deadline) {
			t.Fatalf("prodlifetest: %s/%s: no %s within %s: %s", obj.GetNamespace(), obj.GetName(), what, WaitTimeout, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// condition reads status.conditions[type=condType] of obj.
func condition(obj client.Object, condType string) (*metav1.Condition, error) {
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, err
	}
	var status struct {
		Conditions []metav1.Condition `json:"conditions"`
	}
	if raw, ok := u["status"].(map[string]any); ok {
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &status); err != nil {
			return nil, err
		}
	}
	return meta.FindStatusCondition(status.Conditions, condType), nil
}
