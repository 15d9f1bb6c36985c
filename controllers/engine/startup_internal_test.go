package engine

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
)

// Each object handed to a starting manager goes through exactly one of the kind's two
// watches, whatever its time: a decision taken twice, a moment apart, could drop it from both
// and leave it unread until the next restart.
func TestAnObjectHandedOverAtStartTakesExactlyOneWatch(t *testing.T) {
	obj := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "sensor"}}
	for _, wait := range []time.Duration{0, time.Nanosecond, time.Minute} {
		notDue := dueIn(func(client.Object, time.Time) time.Duration { return wait })
		for _, initial := range []bool{true, false} {
			e := event.CreateEvent{Object: obj, IsInInitialList: initial}
			now, later := dueAtStart(notDue).Create(e), handedOverAtStart(notDue).Create(e)
			if now == later || later != initial {
				t.Errorf("not due for %v, initial list %v: For takes it %v, the deferring watch %v; want exactly one, the deferring one for the initial list", wait, initial, now, later)
			}
		}
	}
	// Without a NotDueFor, everything goes through For, at once.
	e := event.CreateEvent{Object: obj, IsInInitialList: true}
	if !dueAtStart(nil).Create(e) || handedOverAtStart(nil).Create(e) {
		t.Error("a kind without NotDueFor does not take its initial list through For")
	}
}
