package faults

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// view is one look at a scenario's objects, as a user listing them would see them.
type view struct {
	iot   []v1alpha1.IoTProduct
	feeds []v1alpha1.FlipsnackFeed
}

// managed is what the view reads of either kind.
type managed interface {
	client.Object
	GetCommonStatus() *v1alpha1.CommonStatus
}

// look is the scenario's objects in every namespace as the suite's watch has them
// (watch_test.go): the waits' look, every poll interval.
func (s *suite) look(ctx context.Context, scenario string) (view, error) {
	// The view only reads what it is given: the cache's own objects do.
	return s.viewFrom(ctx, s.watched, scenario, client.UnsafeDisableDeepCopy)
}

// list is the scenario's objects as a LIST from the API server returns them, as `kubectl
// get` would: what the checks judge.
func (s *suite) list(ctx context.Context, scenario string) (view, error) {
	return s.viewFrom(ctx, s.kube, scenario)
}

// viewFrom reads the scenario's objects and keeps their statuses for the scan.
func (s *suite) viewFrom(ctx context.Context, r client.Reader, scenario string, opts ...client.ListOption) (view, error) {
	var v view
	opts = append(opts, client.MatchingLabels{scenarioLabel: scenario})
	var iot v1alpha1.IoTProductList
	if err := r.List(ctx, &iot, opts...); err != nil {
		return v, err
	}
	var feeds v1alpha1.FlipsnackFeedList
	if err := r.List(ctx, &feeds, opts...); err != nil {
		return v, err
	}
	v.iot, v.feeds = iot.Items, feeds.Items
	for _, p := range v.iot {
		s.shown.addJSON("status of IoTProduct "+key(&p), p.Status)
	}
	for _, f := range v.feeds {
		st := f.Status
		st.Pushed = nil // the compressed record of SKU hashes: bytes, not meant for people
		s.shown.addJSON("status of FlipsnackFeed "+key(&f), st)
	}
	return v, nil
}

func (v view) all() []managed {
	var out []managed
	for i := range v.iot {
		out = append(out, &v.iot[i])
	}
	for i := range v.feeds {
		out = append(out, &v.feeds[i])
	}
	return out
}

func (v view) count() int { return len(v.iot) + len(v.feeds) }

// ready counts the objects whose Ready condition is True for their current spec.
func (v view) ready() int {
	n := 0
	for _, o := range v.all() {
		if isReady(o) {
			n++
		}
	}
	return n
}

func isReady(o managed) bool {
	c := meta.FindStatusCondition(o.GetCommonStatus().Conditions, v1alpha1.ConditionReady)
	return c != nil && c.Status == metav1.ConditionTrue && c.ObservedGeneration == o.GetGeneration()
}

// stalled lists the objects that say only a person can help them: none of the injected
// faults is of that kind, so each one is a finding.
func (v view) stalled() []string {
	var out []string
	for _, o := range v.all() {
		if meta.IsStatusConditionTrue(o.GetCommonStatus().Conditions, v1alpha1.ConditionStalled) {
			out = append(out, describe(o))
		}
	}
	return out
}

// unfinished describes every object that is not Ready or is being deleted, at most limit.
func (v view) unfinished(limit int) string {
	var lines []string
	for _, o := range v.all() {
		if isReady(o) && o.GetDeletionTimestamp() == nil {
			continue
		}
		lines = append(lines, "  "+describe(o))
	}
	slices.Sort(lines)
	if len(lines) > limit {
		lines = append(lines[:limit], fmt.Sprintf("  ... and %d more", len(lines)-limit))
	}
	return strings.Join(lines, "\n")
}

// describe is one object's state in one line: what `kubectl get -o wide` and the metadata say.
func describe(o managed) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", kindOf(o), key(o))
	if ts := o.GetDeletionTimestamp(); ts != nil {
		fmt.Fprintf(&b, " (deleting since %s, finalizers %v)", ts.Format("15:04:05"), o.GetFinalizers())
	}
	if pending, ok := o.GetAnnotations()[v1alpha1.CreatePendingAnnotation]; ok {
		fmt.Fprintf(&b, " create-pending since %s", pending)
	}
	if c := meta.FindStatusCondition(o.GetCommonStatus().Conditions, v1alpha1.ConditionReady); c != nil {
		fmt.Fprintf(&b, ": Ready=%s %s: %s", c.Status, c.Reason, c.Message)
	} else {
		b.WriteString(": no Ready condition yet")
	}
	return b.String()
}

func kindOf(o client.Object) string {
	switch o.(type) {
	case *v1alpha1.IoTProduct:
		return "IoTProduct"
	case *v1alpha1.FlipsnackFeed:
		return "FlipsnackFeed"
	}
	return fmt.Sprintf("%T", o)
}

func key(o client.Object) string { return o.GetNamespace() + "/" + o.GetName() }
