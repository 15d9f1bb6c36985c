package metrics

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

func conditions(ready, reconciling, stalled metav1.ConditionStatus) []metav1.Condition {
	return []metav1.Condition{
		{Type: v1alpha1.ConditionReady, Status: ready, Reason: "R", ObservedGeneration: 1},
		{Type: v1alpha1.ConditionReconciling, Status: reconciling, Reason: "R", ObservedGeneration: 1},
		{Type: v1alpha1.ConditionStalled, Status: stalled, Reason: "R", ObservedGeneration: 1},
	}
}

func product(name string, generation, observed int64, conds []metav1.Condition, deleting bool) *v1alpha1.IoTProduct {
	p := &v1alpha1.IoTProduct{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, Generation: generation}}
	p.Status.ObservedGeneration = observed
	p.Status.Conditions = conds
	if deleting {
		now := metav1.Now()
		p.DeletionTimestamp = &now
		p.Finalizers = []string{v1alpha1.Finalizer}
	}
	return p
}

// Each row: an object's status and the state a dashboard must show for it.
func TestStateOfReadsConditionsLikeKstatus(t *testing.T) {
	T, F := metav1.ConditionTrue, metav1.ConditionFalse
	tests := []struct {
		name string
		obj  *v1alpha1.IoTProduct
		want string
	}{
		{"ready", product("a", 1, 1, conditions(T, F, F), false), StateReady},
		{"being created", product("a", 1, 1, conditions(F, T, F), false), StateReconciling},
		{"a person must act", product("a", 1, 1, conditions(F, F, T), false), StateStalled},
		{"never reconciled", product("a", 1, 0, nil, false), StateReconciling},
		{"ready, but for an older generation", product("a", 2, 1, conditions(T, F, F), false), StateReconciling},
		{"stalled, but the spec changed since", product("a", 2, 1, conditions(F, F, T), false), StateReconciling},
		{"ready and being deleted", product("a", 1, 1, conditions(T, F, F), true), StateTerminating},
		{"stalled while being deleted", product("a", 1, 1, conditions(F, F, T), true), StateTerminating},
	}
	for _, tt := range tests {
		if got := StateOf(tt.obj); got != tt.want {
			t.Errorf("%s: state %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestObjectsCollectorCountsEveryKindAndState(t *testing.T) {
	T, F := metav1.ConditionTrue, metav1.ConditionFalse
	feed := &v1alpha1.FlipsnackFeed{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "f", Generation: 1}}
	feed.Status.ObservedGeneration = 1
	feed.Status.Conditions = conditions(T, F, F)
	objs := []client.Object{
		product("ready-1", 1, 1, conditions(T, F, F), false),
		product("ready-2", 1, 1, conditions(T, F, F), false),
		product("stalled", 1, 1, conditions(F, F, T), false),
		product("new", 1, 0, nil, false),
		product("going", 1, 1, conditions(F, T, F), true),
		feed,
	}
	reader := fake.NewClientBuilder().WithScheme(kindScheme).WithObjects(objs...).Build()

	// Every state of every kind is present, zeros included, so alerts can compare them.
	want := `
# HELP prodlife_objects ` + objectsHelp + `
# TYPE prodlife_objects gauge
prodlife_objects{kind="FlipsnackFeed",state="ready"} 1
prodlife_objects{kind="FlipsnackFeed",state="reconciling"} 0
prodlife_objects{kind="FlipsnackFeed",state="stalled"} 0
prodlife_objects{kind="FlipsnackFeed",state="terminating"} 0
prodlife_objects{kind="IoTProduct",state="ready"} 2
prodlife_objects{kind="IoTProduct",state="reconciling"} 1
prodlife_objects{kind="IoTProduct",state="stalled"} 1
prodlife_objects{kind="IoTProduct",state="terminating"} 1
`
	if err := testutil.CollectAndCompare(NewObjectsCollector(reader), strings.NewReader(want)); err != nil {
		t.Error(err)
	}
}
