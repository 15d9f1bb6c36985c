package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
)

// A failure retried with the same answer is said once: the status keeps the first answer's
// words and RequestId and the warning is not raised again, until the failure has lasted long
// enough that a reminder is due. Another answer is news, written and raised at once. In an
// outage of the platform every object being deleted retries every few seconds: a status write
// and an event per retry were thousands of API writes a minute.
func TestARetriedFailureIsWrittenAndRaisedOnceUntilItLasts(t *testing.T) {
	ctx := context.Background()
	p := productBeingDeleted()
	statusWrites := 0
	c := interceptor.NewClient(fakeClient(t, p).(client.WithWatch), interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			if obj.GetObjectKind().GroupVersionKind().Kind == "CustomResourceDefinition" {
				return nil // there, and not being deleted
			}
			return c.Get(ctx, key, obj, opts...)
		},
		SubResourcePatch: func(ctx context.Context, c client.Client, sub string, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
			statusWrites++
			return c.SubResource(sub).Patch(ctx, obj, patch, opts...)
		},
	})
	platform := &failingDelete{code: "ServiceUnavailable"}
	warnings := &eventLog{}
	reconciler := deletingEngine(c, c, platform)
	reconciler.Recorder = warnings
	req := ctrl.Request{NamespacedName: client.ObjectKeyFromObject(p)}
	retry := func() *metav1.Condition {
		t.Helper()
		if _, err := reconciler.Reconcile(ctx, req); err == nil || !strings.Contains(err.Error(), platform.code) {
			t.Fatalf("Reconcile error %v, want the platform's %s, for a retry with backoff", err, platform.code)
		}
		got := &v1alpha1.IoTProduct{}
		must(t, c.Get(ctx, req.NamespacedName, got))
		return condition(got, v1alpha1.ConditionReady)
	}

	first := retry()
	if first == nil || first.Reason != engine.ReasonDeleteFailed || !strings.Contains(first.Message, "RequestId req-1") {
		t.Fatalf("Ready = %+v, want DeleteFailed with the answer's RequestId", first)
	}
	for range 3 {
		if again := retry(); again.Message != first.Message {
			t.Errorf("Ready message %q after a retry with the same answer, want the first one's %q", again.Message, first.Message)
		}
	}
	if statusWrites != 1 || len(warnings.notes) != 1 {
		t.Errorf("4 answers alike: %d status writes and warnings %q, want 1 and 1", statusWrites, warnings.notes)
	}

	// The failure has lasted: the next retry raises the warning again, with its own answer.
	stored := &v1alpha1.IoTProduct{}
	must(t, c.Get(ctx, req.NamespacedName, stored))
	for i := range stored.Status.Conditions {
		stored.Status.Conditions[i].LastTransitionTime = metav1.NewTime(time.Now().Add(-6 * time.Minute))
	}
	must(t, c.Status().Update(ctx, stored))
	writes := statusWrites
	retry()
	if statusWrites != writes || len(warnings.notes) != 2 || !strings.Contains(warnings.notes[1], "req-5") {
		t.Errorf("a failure that lasted: %d more status writes and warnings %q, want none and a second warning with req-5", statusWrites-writes, warnings.notes)
	}

	// Another answer is news.
	platform.code = "InternalError"
	if changed := retry(); !strings.Contains(changed.Message, "InternalError") || statusWrites != writes+1 || len(warnings.notes) != 3 {
		t.Errorf("another answer: Ready %q, %d more status writes, warnings %q; want it written and raised", changed.Message, statusWrites-writes, warnings.notes)
	}
}

// failingDelete answers every Delete with a server error of its code, each with a RequestId
// of its own, as the platform does.
type failingDelete struct {
	recordingExternal
	code  string
	calls int
}

func (f *failingDelete) Connect(context.Context, *v1alpha1.IoTProduct, map[string][]byte, engine.Store) (engine.External[*v1alpha1.IoTProduct, engine.NoPlan], error) {
	return f, nil
}

func (f *failingDelete) Delete(context.Context, *v1alpha1.IoTProduct, string) (engine.Result, error) {
	f.calls++
	return engine.Result{}, &apierr.Error{Platform: "alibaba", Action: "DeleteProduct", Class: apierr.Retryable, Code: f.code,
		Message: "The request has failed due to a temporary failure of the server.", RequestID: fmt.Sprintf("req-%d", f.calls), HTTPStatus: 503}
}

// eventLog records the warnings it is given, as "Reason: note".
type eventLog struct{ notes []string }

func (l *eventLog) Eventf(_, _ runtime.Object, eventType, reason, _, note string, args ...any) {
	if eventType == "Warning" {
		l.notes = append(l.notes, reason+": "+fmt.Sprintf(note, args...))
	}
}
