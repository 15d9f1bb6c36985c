package engine

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

type wantCondition struct {
	status          metav1.ConditionStatus
	reason, message string
}

func TestSetStateWritesThreeConditionsThatAgree(t *testing.T) {
	for _, tc := range []struct {
		name                        string
		s                           state
		ready, reconciling, stalled wantCondition
	}{
		{
			name:        "ready",
			s:           state{ready: true, reason: ReasonAvailable, message: "product a1Key exists"},
			ready:       wantCondition{metav1.ConditionTrue, ReasonAvailable, "product a1Key exists"},
			reconciling: wantCondition{metav1.ConditionFalse, "Idle", "no work under way"},
			stalled:     wantCondition{metav1.ConditionFalse, "NotStalled", "nothing waits for a person"},
		},
		{
			name:        "work under way",
			s:           state{reason: ReasonCreating, message: "creating", reconciling: true},
			ready:       wantCondition{metav1.ConditionFalse, ReasonCreating, "creating"},
			reconciling: wantCondition{metav1.ConditionTrue, ReasonCreating, "creating"},
			stalled:     wantCondition{metav1.ConditionFalse, "NotStalled", "nothing waits for a person"},
		},
		{
			name:        "waits for a person",
			s:           state{reason: ReasonCredentialsError, message: "no Secret", stalled: true},
			ready:       wantCondition{metav1.ConditionFalse, ReasonCredentialsError, "no Secret"},
			reconciling: wantCondition{metav1.ConditionFalse, "Idle", "no work under way"},
			stalled:     wantCondition{metav1.ConditionTrue, ReasonCredentialsError, "no Secret"},
		},
		{
			name:        "ready while work goes on",
			s:           state{ready: true, reason: ReasonUpdating, message: "pushing", reconciling: true},
			ready:       wantCondition{metav1.ConditionTrue, ReasonUpdating, "pushing"},
			reconciling: wantCondition{metav1.ConditionTrue, ReasonUpdating, "pushing"},
			stalled:     wantCondition{metav1.ConditionFalse, "NotStalled", "nothing waits for a person"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &v1alpha1.IoTProduct{ObjectMeta: metav1.ObjectMeta{Generation: 3}}
			// What an earlier reconcile said is replaced, never left to contradict.
			setState(p, state{reason: ReasonDeleting, message: "earlier", reconciling: true, stalled: true})
			p.Generation = 4
			setState(p, tc.s)

			st := p.GetCommonStatus()
			if st.ObservedGeneration != 4 {
				t.Errorf("observedGeneration %d, want 4", st.ObservedGeneration)
			}
			if len(st.Conditions) != 3 {
				t.Errorf("%d conditions, want 3: %v", len(st.Conditions), st.Conditions)
			}
			for condType, want := range map[string]wantCondition{
				v1alpha1.ConditionReady: tc.ready, v1alpha1.ConditionReconciling: tc.reconciling, v1alpha1.ConditionStalled: tc.stalled,
			} {
				c := findCondition(st.Conditions, condType)
				if c == nil {
					t.Errorf("no %s condition", condType)
					continue
				}
				if got := (wantCondition{c.Status, c.Reason, c.Message}); got != want {
					t.Errorf("%s %+v, want %+v", condType, got, want)
				}
				if c.ObservedGeneration != 4 {
					t.Errorf("%s observedGeneration %d, want 4", condType, c.ObservedGeneration)
				}
			}
		})
	}
}

func TestSetStalledOnlyLeavesReadyAlone(t *testing.T) {
	p := &v1alpha1.IoTProduct{ObjectMeta: metav1.ObjectMeta{Generation: 2}}
	setState(p, state{ready: true, reason: ReasonAvailable, message: "fine"})
	setStalledOnly(p, ReasonDeletionGuarded, "the namespace waits for the flag")
	st := p.GetCommonStatus()
	if c := findCondition(st.Conditions, v1alpha1.ConditionReady); c == nil || c.Status != metav1.ConditionTrue || c.Reason != ReasonAvailable {
		t.Errorf("Ready %+v, want True/%s", c, ReasonAvailable)
	}
	if c := findCondition(st.Conditions, v1alpha1.ConditionStalled); c == nil || c.Status != metav1.ConditionTrue || c.Reason != ReasonDeletionGuarded {
		t.Errorf("Stalled %+v, want True/%s", c, ReasonDeletionGuarded)
	}
}

func findCondition(conds []metav1.Condition, condType string) *metav1.Condition {
	for i := range conds {
		if conds[i].Type == condType {
			return &conds[i]
		}
	}
	return nil
}

func TestMarkSyncedMovesLastSyncTimeOnlyPastItsPrecision(t *testing.T) {
	obj := &v1alpha1.IoTProduct{}
	t0 := time.Date(2026, 12, 7, 10, 0, 0, 500, time.UTC)
	markSynced(obj, t0)
	if got := obj.Status.LastSyncTime; got == nil || !got.Time.Equal(t0.Truncate(time.Second)) {
		t.Fatalf("first sync: lastSyncTime %v, want %v", got, t0.Truncate(time.Second))
	}
	markSynced(obj, t0.Add(lastSyncPrecision-time.Second))
	if !obj.Status.LastSyncTime.Time.Equal(t0.Truncate(time.Second)) {
		t.Errorf("a sync within %v moved lastSyncTime to %v (one status write for nothing)", lastSyncPrecision, obj.Status.LastSyncTime)
	}
	later := t0.Add(lastSyncPrecision + time.Second)
	markSynced(obj, later)
	if !obj.Status.LastSyncTime.Time.Equal(later.Truncate(time.Second)) {
		t.Errorf("a sync past %v left lastSyncTime at %v, want %v", lastSyncPrecision, obj.Status.LastSyncTime, later.Truncate(time.Second))
	}
	// A recorded time in the future (a clock set back, a status written by hand) is replaced.
	obj.Status.LastSyncTime = &metav1.Time{Time: later.Add(time.Hour)}
	markSynced(obj, later)
	if !obj.Status.LastSyncTime.Time.Equal(later.Truncate(time.Second)) {
		t.Errorf("a lastSyncTime in the future was kept: %v", obj.Status.LastSyncTime)
	}
}
