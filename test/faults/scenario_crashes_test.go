package faults

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// crashesDuringCreateAndDelete: a batch of products and feeds is created and then deleted
// while the platforms fail a quarter of the calls, and the manager is killed outright and
// started again several times during each phase. One namespace is deleted whole instead of
// object by object. At the end nothing may be left, created twice or deleted unreported.
func (s *suite) crashesDuringCreateAndDelete(t *testing.T) {
	const scenario = "s1"
	kept := []string{"faults-s1-a", "faults-s1-b"}
	gone := "faults-s1-gone" // deleted whole
	ctx, cancel := context.WithTimeout(context.Background(), 2*s.scale.phaseTimeout)
	defer cancel()

	s.createNamespaces(t, ctx, append(kept, gone)...)
	b := newBatch(s.rand("scenario 1 objects"), scenario, append(kept, gone), s.scale.iotProducts, s.scale.feeds, s.scale.minSKUs, s.scale.maxSKUs)
	t.Logf("%d IoTProducts and %d FlipsnackFeeds (%d SKUs) over namespaces %v, %s to be deleted whole",
		len(b.iot), len(b.feeds), b.skus(), append(kept, gone), gone)
	stopChaos := s.startChaos(t, s.rand("scenario 1 faults"), chaosConfig{maxIoTLatency: 50 * time.Millisecond, maxFeedLatency: 500 * time.Millisecond})
	defer stopChaos()

	s.create(t, ctx, b)
	crashes := s.newCrashSchedule(t, "create", s.scale.kills, func(v view) float64 { return share(v.ready(), b.size()) })
	s.waitUntil(t, scenario, "every object Ready", func(v view) bool { return v.ready() == b.size() }, crashes.step)
	crashes.requireAll()
	objs := s.checkCreated(t, scenario, gone)

	for _, obj := range b.objects() {
		if obj.GetNamespace() != gone {
			if err := s.kube.Delete(ctx, obj); err != nil {
				t.Fatalf("deleting %s %s: %v", kindOf(obj), key(obj), err)
			}
		}
	}
	if err := s.kube.Delete(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: gone}}); err != nil {
		t.Fatalf("deleting namespace %s: %v", gone, err)
	}
	crashes = s.newCrashSchedule(t, "delete", s.scale.kills, func(v view) float64 { return share(b.size()-v.count(), b.size()) })
	s.waitUntil(t, scenario, "every object and namespace "+gone+" gone", func(v view) bool {
		return v.count() == 0 && s.namespaceGone(t, ctx, gone)
	}, crashes.step)
	crashes.requireAll()
	stopChaos()
	s.checkDeleted(t, objs)
}
