package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// A deletion that waits is explained with the commands that end it, whatever holds it.
func TestStatusSaysWhyADeletionWaitsAndHowOut(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) metav1.Time { return metav1.NewTime(now.Add(-d)) }
	product := func(conditions ...metav1.Condition) *v1alpha1.IoTProduct {
		deleted := ago(3 * time.Minute)
		p := &v1alpha1.IoTProduct{ObjectMeta: metav1.ObjectMeta{
			Namespace: "shop", Name: "door", Generation: 2, DeletionTimestamp: &deleted,
			Finalizers:  []string{"example.com/other", v1alpha1.Finalizer},
			Annotations: map[string]string{v1alpha1.ExternalIDAnnotation: "a1Door"},
		}}
		p.Spec.CredentialsSecretRef = &v1alpha1.SecretReference{Name: "alibaba-credentials"}
		p.Status.ObservedGeneration = 2
		p.Status.Conditions = conditions
		return p
	}
	cond := func(t, status, reason, msg string) metav1.Condition {
		return metav1.Condition{Type: t, Status: metav1.ConditionStatus(status), Reason: reason, Message: msg, LastTransitionTime: ago(time.Minute)}
	}
	orphan := `kubectl patch iotproduct door -n shop --type merge -p '{"spec":{"deletionPolicy":"Orphan"}}'`
	finalizer := `kubectl patch iotproduct door -n shop --type json -p '[{"op":"test","path":"/metadata/finalizers/1","value":"prodlife.dev/external-delete"},{"op":"remove","path":"/metadata/finalizers/1"}]'`
	for _, tc := range []struct {
		name string
		obj  *v1alpha1.IoTProduct
		want []string
	}{
		{"paused", product(cond("Ready", "True", "Available", "product a1Door exists"), cond("Paused", "True", "Paused", "paused")),
			[]string{"Why it waits: it is paused", "kubectl annotate iotproduct door -n shop prodlife.dev/paused-", orphan, finalizer}},
		{"guarded", product(cond("Ready", "False", "DeletionGuarded", "product a1Door has 3 devices"), cond("Stalled", "True", "DeletionGuarded", "product a1Door has 3 devices")),
			[]string{"Why it waits: product a1Door has 3 devices", `--type merge -p '{"spec":{"deletionGuard":"None"}}'`, orphan}},
		{"credentials", product(cond("Ready", "False", "CredentialsError", "Secret alibaba-credentials not found"), cond("Stalled", "True", "CredentialsError", "Secret alibaba-credentials not found")),
			[]string{"Why it waits: Secret alibaba-credentials not found", "kubectl get secret alibaba-credentials -n shop", orphan}},
		{"at work", product(cond("Ready", "False", "Deleting", "deleting product a1Door"), cond("Reconciling", "True", "Deleting", "deleting product a1Door")),
			[]string{"the operator is at work (Deleting)", "kubectl wait --for=delete iotproduct/door -n shop --timeout=10m", orphan}},
		{"no word from the operator", product(),
			[]string{"Ready:        (not reported yet)", "check that it runs", "kubectl get pods -A -l app.kubernetes.io/name=product-lifecycle-operator", orphan}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			events := []eventsv1.Event{
				{Type: "Warning", Reason: "DeleteFailed", Note: "older", EventTime: metav1.NewMicroTime(now.Add(-10 * time.Minute))},
				{Type: "Normal", Reason: "Created", Note: "newest", EventTime: metav1.NewMicroTime(now.Add(-time.Minute)),
					Series: &eventsv1.EventSeries{Count: 4, LastObservedTime: metav1.NewMicroTime(now.Add(-30 * time.Second))}},
			}
			var out bytes.Buffer
			must(t, statusScreen{kind: v1alpha1.KindNamed("IoTProduct"), obj: tc.obj, events: events, now: now}.write(&out))
			text := out.String()
			for _, w := range append([]string{"IoTProduct shop/door", "a1Door", "Deletion requested 3m ago", "Created (x4)"}, tc.want...) {
				if !strings.Contains(text, w) {
					t.Errorf("the screen lacks %q:\n%s", w, text)
				}
			}
			if strings.Index(text, "older") > strings.Index(text, "newest") {
				t.Errorf("events are not oldest first:\n%s", text)
			}
		})
	}
}
