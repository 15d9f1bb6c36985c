package recorder

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/prodlife/product-lifecycle-operator/internal/metrics"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// call is one request that reached the fake API server.
type call struct {
	verb      string // create or patch
	namespace string
	name      string
	event     eventsv1.Event // a create's event
	series    eventsv1.EventSeries
}

// fakeSink is the API server's events endpoint: it keeps every call, and answers what
// answer says (nil: accepted).
type fakeSink struct {
	mu     sync.Mutex
	calls  []call
	answer func(c call) error
	block  chan struct{} // when set, every call waits for it to close
}

func (f *fakeSink) Create(_ context.Context, ev *eventsv1.Event) error {
	return f.take(call{verb: "create", namespace: ev.Namespace, name: ev.Name, event: *ev.DeepCopy()})
}

func (f *fakeSink) Patch(_ context.Context, namespace, name string, patch []byte) error {
	var p struct{ Series eventsv1.EventSeries }
	if err := json.Unmarshal(patch, &p); err != nil {
		return apierrors.NewBadRequest(err.Error())
	}
	return f.take(call{verb: "patch", namespace: namespace, name: name, series: p.Series})
}

func (f *fakeSink) take(c call) error {
	if f.block != nil {
		<-f.block
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
	if f.answer != nil {
		return f.answer(c)
	}
	return nil
}

func (f *fakeSink) sent() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// started runs a one-shard recorder on a fake clock until the test ends.
func started(t *testing.T, sink *fakeSink, opts Options) (*Recorder, *clocktesting.FakeClock) {
	t.Helper()
	clk := clocktesting.NewFakeClock(time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC))
	opts.Shards, opts.Clock = 1, clk
	r := newRecorder(sink, clientgoscheme.Scheme, "iotproduct-controller", logr.Discard(), opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = r.Start(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return r, clk
}

func configMap(name string) *corev1.ConfigMap {
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: name, UID: "uid-" + "name", ResourceVersion: "7"}}
	cm.SetGroupVersionKind(schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"})
	return cm
}

// waitCalls waits until the fake API server has seen n calls, and returns them.
func waitCalls(t *testing.T, sink *fakeSink, n int) []call {
	t.Helper()
	testenv.Eventually(t, 5*time.Second, fmt.Sprintf("%d calls", n), func() string {
		if got := len(sink.sent()); got < n {
			return fmt.Sprintf("%d calls: %+v", got, sink.sent())
		}
		return ""
	})
	return sink.sent()
}

func TestAnEventReachesTheAPIServerAsClientGoWouldWriteIt(t *testing.T) {
	sink := &fakeSink{}
	r, clk := started(t, sink, Options{})
	r.Eventf(configMap("a"), nil, corev1.EventTypeNormal, "Deleted", "Delete", "deleted product %s (RequestId %s)", "pk1", "rq1")
	got := waitCalls(t, sink, 1)[0]
	ev := got.event
	if got.verb != "create" || ev.Namespace != "team-a" || !strings.HasPrefix(ev.Name, "a.") {
		t.Fatalf("sent %s %s/%s, want a create of a.<time> in team-a", got.verb, ev.Namespace, ev.Name)
	}
	if ev.Note != "deleted product pk1 (RequestId rq1)" || ev.Reason != "Deleted" || ev.Action != "Delete" || ev.Type != corev1.EventTypeNormal {
		t.Errorf("event says %q %q %q %q", ev.Type, ev.Reason, ev.Action, ev.Note)
	}
	if ev.ReportingController != "iotproduct-controller" || !strings.HasPrefix(ev.ReportingInstance, "iotproduct-controller-") {
		t.Errorf("reported by %q / %q", ev.ReportingController, ev.ReportingInstance)
	}
	if ev.Regarding.Kind != "ConfigMap" || ev.Regarding.Name != "a" || ev.Regarding.UID != "uid-name" || ev.Series != nil {
		t.Errorf("regarding %+v, series %v", ev.Regarding, ev.Series)
	}
	if !ev.EventTime.Time.Equal(clk.Now()) {
		t.Errorf("eventTime %v, want %v", ev.EventTime, clk.Now())
	}
}

func TestRepeatsFoldIntoOneEventWithACount(t *testing.T) {
	sink := &fakeSink{}
	r, clk := started(t, sink, Options{FlushEvery: time.Minute, FoldWindow: 6 * time.Minute})
	obj := configMap("a")
	fail := func() {
		r.Eventf(obj, nil, corev1.EventTypeWarning, "DeleteFailed", "Delete", "Throttling.User (RequestId %s)", "same")
	}
	fail()
	first := waitCalls(t, sink, 1)[0]
	obj.ResourceVersion = "8" // a status write between two repeats does not make news
	clk.Step(10 * time.Second)
	fail()
	second := waitCalls(t, sink, 2)[1]
	if second.verb != "patch" || second.name != first.name || second.series.Count != 2 {
		t.Fatalf("the first repeat sent %+v, want a patch of %s to count 2", second, first.name)
	}
	if !second.series.LastObservedTime.Time.Equal(clk.Now()) {
		t.Errorf("lastObservedTime %v, want %v", second.series.LastObservedTime, clk.Now())
	}
	fail()
	fail()
	// Later repeats wait for the next flush: nothing is sent for them at once.
	time.Sleep(200 * time.Millisecond)
	if n := len(sink.sent()); n != 2 {
		t.Fatalf("%d calls before the flush, want 2: %+v", n, sink.sent())
	}
	clk.Step(time.Minute)
	flushed := waitCalls(t, sink, 3)[2]
	if flushed.verb != "patch" || flushed.name != first.name || flushed.series.Count != 4 {
		t.Fatalf("the flush sent %+v, want count 4 on %s", flushed, first.name)
	}
	// A different note is news of its own.
	r.Eventf(obj, nil, corev1.EventTypeWarning, "DeleteFailed", "Delete", "iot.prod.NotExistedProduct")
	if c := waitCalls(t, sink, 4)[3]; c.verb != "create" {
		t.Fatalf("a new message sent %+v, want a create", c)
	}
	// So is a repeat after the fold window.
	clk.Step(7 * time.Minute)
	fail()
	if c := waitCalls(t, sink, 5)[4]; c.verb != "create" || c.name == first.name {
		t.Fatalf("a repeat after the window sent %+v, want a new event", c)
	}
}

func TestASeriesTheAPIServerNoLongerHasIsMadeAgain(t *testing.T) {
	sink := &fakeSink{answer: func(c call) error {
		if c.verb == "patch" {
			return apierrors.NewNotFound(schema.GroupResource{Group: "events.k8s.io", Resource: "events"}, c.name)
		}
		return nil
	}}
	r, _ := started(t, sink, Options{})
	for range 2 {
		r.Eventf(configMap("a"), nil, corev1.EventTypeWarning, "DeleteFailed", "Delete", "same")
	}
	calls := waitCalls(t, sink, 3)
	if calls[2].verb != "create" || calls[2].event.Series == nil || calls[2].event.Series.Count != 2 {
		t.Fatalf("after a patch found nothing, sent %+v, want a create with count 2", calls[2])
	}
}

func TestMemoryOfRecentEventsIsBounded(t *testing.T) {
	sink := &fakeSink{}
	r, clk := started(t, sink, Options{Remembered: 2})
	repeated := configMap("repeated")
	r.Eventf(repeated, nil, corev1.EventTypeWarning, "DeleteFailed", "Delete", "same")
	r.Eventf(repeated, nil, corev1.EventTypeWarning, "DeleteFailed", "Delete", "same")
	r.Eventf(repeated, nil, corev1.EventTypeWarning, "DeleteFailed", "Delete", "same") // count 3, unwritten
	waitCalls(t, sink, 2)
	for i := range 50 {
		r.Eventf(configMap(fmt.Sprintf("o%d", i)), nil, corev1.EventTypeNormal, "Created", "Create", "created")
	}
	calls := waitCalls(t, sink, 53)
	if n := r.shards[0].recent.Len(); n > 2 {
		t.Fatalf("remembers %d events, bound 2", n)
	}
	// The series forgotten for room had its last count written, not lost.
	var counts []int32
	for _, c := range calls {
		if c.verb == "patch" {
			counts = append(counts, c.series.Count)
		}
	}
	if len(counts) != 2 || counts[1] != 3 {
		t.Fatalf("series counts written %v, want [2 3]", counts)
	}
	clk.Step(time.Minute)
	time.Sleep(100 * time.Millisecond)
	if n := len(sink.sent()); n != 53 {
		t.Fatalf("%d calls after a flush, want 53 (nothing left to write)", n)
	}
}

func TestAFullQueueDropsAndCountsInsteadOfBlocking(t *testing.T) {
	dropped := func() float64 {
		return testutil.ToFloat64(metrics.EventsDropped.WithLabelValues(metrics.EventQueueFull)) +
			testutil.ToFloat64(metrics.EventsDropped.WithLabelValues(metrics.EventNamespaceShare))
	}
	before := dropped()
	sink := &fakeSink{block: make(chan struct{})}
	r, _ := started(t, sink, Options{Queue: 2})
	done := make(chan struct{})
	go func() {
		for i := range 10 {
			r.Eventf(configMap(fmt.Sprintf("o%d", i)), nil, corev1.EventTypeNormal, "Created", "Create", "created")
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Eventf blocked on a full queue")
	}
	close(sink.block)
	// One in the send, at most two queued: the other seven (or more) were dropped.
	if d := dropped() - before; d < 7 {
		t.Fatalf("counted %v dropped, want at least 7", d)
	}
}

func TestFailuresAreRetriedOrCountedByWhatTheAPIServerSaid(t *testing.T) {
	gr := schema.GroupResource{Group: "events.k8s.io", Resource: "events"}
	terminating := apierrors.NewForbidden(gr, "x", fmt.Errorf("namespace team-a is being terminated"))
	terminating.ErrStatus.Details.Causes = []metav1.StatusCause{{Type: corev1.NamespaceTerminatingCause}}
	tries := map[string]int{}
	sink := &fakeSink{answer: func(c call) error {
		tries[c.event.Regarding.Name]++
		switch c.event.Regarding.Name {
		case "busy":
			if tries["busy"] < 3 {
				return apierrors.NewServiceUnavailable("busy")
			}
		case "invalid":
			return apierrors.NewInvalid(schema.GroupKind{Group: "events.k8s.io", Kind: "Event"}, c.name, nil)
		case "terminating":
			return terminating
		}
		return nil
	}}
	value := func(reason string) float64 { return testutil.ToFloat64(metrics.EventsDropped.WithLabelValues(reason)) }
	refused, ended := value(metrics.EventRefused), value(metrics.EventNamespaceTerminating)
	r, _ := started(t, sink, Options{})
	for _, name := range []string{"busy", "invalid", "terminating"} {
		r.Eventf(configMap(name), nil, corev1.EventTypeNormal, "Created", "Create", "created")
	}
	waitCalls(t, sink, 5)
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if tries["busy"] != 3 || tries["invalid"] != 1 || tries["terminating"] != 1 {
		t.Errorf("tries %v, want busy 3 (retried until taken), invalid 1, terminating 1", tries)
	}
	if d := value(metrics.EventRefused) - refused; d != 1 {
		t.Errorf("refused counted %v, want 1", d)
	}
	if d := value(metrics.EventNamespaceTerminating) - ended; d != 1 {
		t.Errorf("namespace_terminating counted %v, want 1", d)
	}
}

func TestAStoppingRecorderSendsWhatWasQueued(t *testing.T) {
	sink := &fakeSink{}
	clk := clocktesting.NewFakeClock(time.Now())
	r := newRecorder(sink, clientgoscheme.Scheme, "c", logr.Discard(), Options{Shards: 1, Clock: clk})
	for i := range 5 {
		r.Eventf(configMap(fmt.Sprintf("o%d", i)), nil, corev1.EventTypeNormal, "Created", "Create", "created")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(sink.sent()); n != 5 {
		t.Fatalf("sent %d of the 5 queued events", n)
	}
	if d := time.Since(start); d > drainFor {
		t.Fatalf("stopping took %v", d)
	}
}

func TestANoteOverTheAPILimitIsCutNotLost(t *testing.T) {
	sink := &fakeSink{}
	r, _ := started(t, sink, Options{})
	long := strings.Repeat("é", 1000) // 2,000 bytes
	r.Eventf(configMap("a"), nil, corev1.EventTypeWarning, "CreateFailed", "Create", "%s", long)
	note := waitCalls(t, sink, 1)[0].event.Note
	if len(note) > noteLimit || !utf8.ValidString(note) || !strings.HasPrefix(long, strings.TrimSuffix(note, "…")) {
		t.Fatalf("note of %d bytes (valid UTF-8: %v)", len(note), utf8.ValidString(note))
	}
}

func TestAnObjectOutsideTheSchemeRecordsNothing(t *testing.T) {
	sink := &fakeSink{}
	r, _ := started(t, sink, Options{})
	r.Eventf(&unknown{}, nil, corev1.EventTypeNormal, "Created", "Create", "created")
	time.Sleep(100 * time.Millisecond)
	if n := len(sink.sent()); n != 0 {
		t.Fatalf("sent %d events about an object of no known kind", n)
	}
}

type unknown struct{ metav1.ObjectMeta }

func (u *unknown) GetObjectKind() schema.ObjectKind { return schema.EmptyObjectKind }
func (u *unknown) DeepCopyObject() runtime.Object   { return &unknown{} }

// One namespace's flood of events takes at most a quarter of the queue: another namespace's
// event, recorded in the middle of it, is queued and sent.
func TestANamespacesFloodLeavesRoomForOtherNamespaces(t *testing.T) {
	before := testutil.ToFloat64(metrics.EventsDropped.WithLabelValues(metrics.EventNamespaceShare))
	sink := &fakeSink{block: make(chan struct{})}
	r, _ := started(t, sink, Options{Queue: 8})
	flood := func(i int) *corev1.ConfigMap {
		cm := configMap(fmt.Sprintf("noise-%d", i))
		cm.Namespace = "flood"
		return cm
	}
	for i := range 50 {
		r.Eventf(flood(i), nil, corev1.EventTypeWarning, "Failed", "Create", "failed")
	}
	r.Eventf(configMap("quiet"), nil, corev1.EventTypeNormal, "Created", "Create", "created")
	close(sink.block)
	testenv.Eventually(t, 5*time.Second, "the quiet namespace's event", func() string {
		for _, c := range sink.sent() {
			if c.verb == "create" && c.event.Namespace == "team-a" {
				return ""
			}
		}
		return fmt.Sprintf("not sent; sent %d events", len(sink.sent()))
	})
	if d := testutil.ToFloat64(metrics.EventsDropped.WithLabelValues(metrics.EventNamespaceShare)) - before; d < 40 {
		t.Errorf("%v of the flood's events dropped for its share, want at least 40 of 50", d)
	}
}
