// Package enginetest is the lifecycle engine's contract suite: what every kind, whatever its
// platform, must do when it runs on the engine (docs/design.md, "The lifecycle contract").
// A kind's package runs it with Run and a Kit of its own: its connector, a valid object, and
// a Probe that reads and disturbs its platform. The engine reconciles on a fake API server
// (controller-runtime's fake client), one reconcile after the other, so each case says
// exactly which platform calls one user action costs.
package enginetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/uuid"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
)

// Verb is one of the engine's platform verbs, as a Probe counts and disturbs them.
type Verb string

const (
	Create Verb = "Create"
	Update Verb = "Update"
	Delete Verb = "Delete"
)

// Kit is one kind and its platform, as the suite drives them.
type Kit[T engine.Managed, P any] struct {
	// Kind is the kind as v1alpha1.Kinds lists it; it must be there, since the engine's
	// shared parts (indexes, identity conflicts, credentials) read that list.
	Kind v1alpha1.Kind
	// AddToScheme adds the kind's types to a scheme.
	AddToScheme func(*runtime.Scheme) error
	Connector   engine.Connector[T, P]
	// Noun names the product in messages ("product", "widget").
	Noun string
	// New is a valid object of the kind, named name in namespace, that names the credentials
	// Secret SecretName and adopts id when id is not "".
	New func(namespace, name, id string) T
	// Credentials are the data of a Secret the platform accepts; Refused of one it refuses.
	Credentials, Refused map[string][]byte
	// ChangeSpec makes a change to the spec that only an update can push.
	ChangeSpec func(obj T)
	Platform   Probe
	// Reset gives each case an empty platform.
	Reset func()
}

// Probe reads and disturbs a kind's platform.
type Probe interface {
	// Exists says whether the product id is on the platform.
	Exists(id string) bool
	// Writes counts the calls of verb the platform answered (failed ones too).
	Writes(verb Verb) int
	// MakeOutside makes, outside the operator, a product matching obj's spec; it returns its id.
	MakeOutside(obj engine.Managed) string
	// Drift changes the product outside the operator, so that it no longer matches its spec.
	Drift(id string)
	// Remove deletes the product outside the operator.
	Remove(id string)
	// LoseNextAnswer makes the next call of verb take effect and then answer a timeout.
	LoseNextAnswer(verb Verb)
}

// SecretName is the credentials Secret the Kit's objects name.
const SecretName = "platform-credentials"

// namespace is where the suite's objects live.
const namespace = "contract"

// Run runs the whole contract suite for the kit.
func Run[T engine.Managed, P any](t *testing.T, kit Kit[T, P]) {
	if !slices.ContainsFunc(v1alpha1.Kinds, func(k v1alpha1.Kind) bool { return k.Name == kit.Kind.Name }) {
		t.Fatalf("kind %s is not in v1alpha1.Kinds: the engine's indexes, identity checks and credentials controller would not know it", kit.Kind.Name)
	}
	for _, c := range contract[T, P]() {
		t.Run(c.name, func(t *testing.T) {
			kit.Reset()
			h := newHarness(t, kit)
			c.run(t, h)
		})
	}
}

// harness is one case's world: a fake API server holding the credentials Secret and the
// kind's CRD, and the engine of the kind on it.
type harness[T engine.Managed, P any] struct {
	kit    Kit[T, P]
	client client.Client
	engine *engine.Engine[T, P]
	events *recorder
}

func newHarness[T engine.Managed, P any](t *testing.T, kit Kit[T, P]) *harness[T, P] {
	t.Helper()
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, v1alpha1.AddToScheme, apiextensionsv1.AddToScheme, kit.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	builder := fake.NewClientBuilder().WithScheme(scheme).WithObjects(
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: SecretName}, Data: kit.Credentials},
		&apiextensionsv1.CustomResourceDefinition{ObjectMeta: metav1.ObjectMeta{Name: kit.Kind.CRDName()}},
	)
	for _, k := range v1alpha1.Kinds {
		if _, _, err := scheme.ObjectKinds(k.New()); err != nil {
			continue // another test-only kind, unknown to this scheme
		}
		builder = builder.WithStatusSubresource(k.New())
		for field, index := range engine.Indexes {
			builder = builder.WithIndex(k.New(), field, index)
		}
	}
	c := builder.Build()
	events := &recorder{}
	return &harness[T, P]{kit: kit, client: c, events: events, engine: &engine.Engine[T, P]{
		Client: c, APIReader: c, CRDName: kit.Kind.CRDName(), Recorder: events,
		NewObject: func() T { return kit.Kind.New().(T) },
		NewList:   kit.Kind.NewList,
		Connector: kit.Connector, Noun: kit.Noun,
		SyncPeriod: time.Hour, SlowRetry: time.Hour, ThrottleWait: time.Hour, Workers: 1,
	}}
}

// settled is the shortest wait after which the suite counts an object as at rest: the
// harness's engine comes back after an hour when nothing is left to do.
const settled = time.Minute

// settle reconciles obj until it is at rest (nothing left to do for an hour) or gone, as the
// workqueue would, and returns it as the API server has it (nil when gone).
func (h *harness[T, P]) settle(t *testing.T, obj T) T {
	t.Helper()
	var zero T
	key := client.ObjectKeyFromObject(obj)
	for range 20 {
		res, err := h.engine.Reconcile(context.Background(), ctrl.Request{NamespacedName: key})
		current := h.kit.Kind.New().(T)
		if gerr := h.client.Get(context.Background(), key, current); apierrors.IsNotFound(gerr) {
			return zero
		} else if gerr != nil {
			t.Fatal(gerr)
		}
		if err == nil && (res.RequeueAfter >= settled || res.RequeueAfter == 0) {
			return current
		}
	}
	t.Fatalf("%s did not come to rest in 20 reconciles", key)
	return zero
}

func (h *harness[T, P]) create(t *testing.T, name, id string, mutate ...func(T)) T {
	t.Helper()
	obj := h.kit.New(namespace, name, id)
	for _, m := range mutate {
		m(obj)
	}
	// What the API server sets and the fake client does not: the engine tells resources
	// apart by UID and orders claims by creation.
	obj.SetUID(uuid.NewUUID())
	obj.SetCreationTimestamp(metav1.Now())
	if err := h.client.Create(context.Background(), obj); err != nil {
		t.Fatal(err)
	}
	return h.settle(t, obj)
}

func (h *harness[T, P]) update(t *testing.T, obj T, change func(T)) T {
	t.Helper()
	change(obj)
	obj.SetGeneration(obj.GetGeneration() + 1)
	if err := h.client.Update(context.Background(), obj); err != nil {
		t.Fatal(err)
	}
	return h.settle(t, obj)
}

// delete deletes obj and reconciles it; it returns what is left of it (nil when gone).
func (h *harness[T, P]) delete(t *testing.T, obj T) T {
	t.Helper()
	if err := h.client.Delete(context.Background(), obj); err != nil {
		t.Fatal(err)
	}
	return h.settle(t, obj)
}

// writes are the platform's answered calls of each verb so far.
func (h *harness[T, P]) writes() map[Verb]int {
	p := h.kit.Platform
	return map[Verb]int{Create: p.Writes(Create), Update: p.Writes(Update), Delete: p.Writes(Delete)}
}

// wantWrites fails the test unless the platform answered exactly these calls since before.
func (h *harness[T, P]) wantWrites(t *testing.T, before map[Verb]int, want map[Verb]int) {
	t.Helper()
	for verb, n := range h.writes() {
		if got := n - before[verb]; got != want[verb] {
			t.Errorf("%s calls: %d, want %d", verb, got, want[verb])
		}
	}
}

// gone says that settle found no object left.
func gone[T engine.Managed](obj T) bool { return reflect.ValueOf(obj).IsNil() }

// wantReady fails the test unless obj's Ready condition has this status and reason.
func wantReady[T engine.Managed](t *testing.T, obj T, status metav1.ConditionStatus, reason string) {
	t.Helper()
	if gone(obj) {
		t.Fatalf("the object is gone; want Ready %s %s", status, reason)
	}
	c := meta.FindStatusCondition(obj.GetCommonStatus().Conditions, v1alpha1.ConditionReady)
	if c == nil || c.Status != status || c.Reason != reason {
		t.Fatalf("Ready is %+v, want %s %s", c, status, reason)
	}
}

// recorder keeps the events the engine records, as "Type Reason note" by object name.
type recorder struct {
	mu     sync.Mutex
	events map[string][]string
}

func (r *recorder) Eventf(regarding runtime.Object, _ runtime.Object, eventType, reason, _ string, note string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.events == nil {
		r.events = map[string][]string{}
	}
	name := regarding.(client.Object).GetName()
	r.events[name] = append(r.events[name], eventType+" "+reason+" "+fmt.Sprintf(note, args...))
}

func (h *harness[T, P]) wantEvent(t *testing.T, name, prefix string) {
	t.Helper()
	h.events.mu.Lock()
	defer h.events.mu.Unlock()
	for _, e := range h.events.events[name] {
		if strings.HasPrefix(e, prefix) {
			return
		}
	}
	t.Errorf("no event %q for %s among %q", prefix, name, h.events.events[name])
}

func hasFinalizer(obj client.Object) bool {
	return controllerutil.ContainsFinalizer(obj, v1alpha1.Finalizer)
}
