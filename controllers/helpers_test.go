package controllers_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

var nsCounter atomic.Int64

// newNamespace gives each test its own namespace, with the credentials Secret the simulator
// accepts under the name the samples use.
func newNamespace(t *testing.T) string {
	t.Helper()
	needsAPIServer(t)
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("ctrl-%d", nsCounter.Add(1))}}
	must(t, k8s.Create(ctx, ns))
	createSecret(t, ns.Name, "alibaba-credentials", map[string]string{"accessKeyId": alibabaKeyID, "accessKeySecret": alibabaSecret})
	return ns.Name
}

func createSecret(t *testing.T, ns, name string, data map[string]string) *corev1.Secret {
	t.Helper()
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, StringData: data}
	must(t, k8s.Create(context.Background(), s))
	return s
}

// waitSecretSeen waits until the suite manager's cache (which holds Secrets' metadata only)
// has s at its resourceVersion or a later one.
func waitSecretSeen(t *testing.T, s *corev1.Secret) {
	t.Helper()
	want, err := strconv.ParseUint(s.ResourceVersion, 10, 64)
	must(t, err)
	eventually(t, "the manager's cache to see Secret "+s.Namespace+"/"+s.Name+" at resourceVersion "+s.ResourceVersion, func() string {
		m := &metav1.PartialObjectMetadata{}
		m.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
		if err := managerCache.Get(context.Background(), client.ObjectKeyFromObject(s), m); err != nil {
			return err.Error()
		}
		if got, err := strconv.ParseUint(m.ResourceVersion, 10, 64); err != nil || got < want {
			return "it holds resourceVersion " + m.ResourceVersion
		}
		return ""
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// eventually polls check until it returns "" (success) or the time runs out, then fails
// with the last thing check said was wrong.
func eventually(t *testing.T, what string, check func() string) {
	t.Helper()
	testenv.Eventually(t, waitFor, what, check)
}

// waitCondition waits until obj's condition has the status and reason, and returns obj as
// last read.
func waitCondition(t *testing.T, obj client.Object, condType string, status metav1.ConditionStatus, reason string) *metav1.Condition {
	t.Helper()
	var got *metav1.Condition
	eventually(t, fmt.Sprintf("%s=%s (%s) on %s", condType, status, reason, obj.GetName()), func() string {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
			return err.Error()
		}
		got = meta.FindStatusCondition(obj.(interface{ GetCommonStatus() *v1alpha1.CommonStatus }).GetCommonStatus().Conditions, condType)
		if got == nil {
			return "no condition yet"
		}
		if got.Status != status || (reason != "" && got.Reason != reason) {
			return fmt.Sprintf("%s=%s reason %s: %s", condType, got.Status, got.Reason, got.Message)
		}
		return ""
	})
	return got
}

func condition(obj interface{ GetCommonStatus() *v1alpha1.CommonStatus }, condType string) *metav1.Condition {
	return meta.FindStatusCondition(obj.GetCommonStatus().Conditions, condType)
}

// waitGone waits until the object no longer exists.
func waitGone(t *testing.T, obj client.Object) {
	t.Helper()
	eventually(t, obj.GetName()+" to be gone", func() string {
		err := k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)
		if apierrors.IsNotFound(err) {
			return ""
		}
		return fmt.Sprintf("still there (finalizers %v, err %v)", obj.GetFinalizers(), err)
	})
}

// events returns the notes of the events about the object, as "Reason: note".
func events(t *testing.T, obj client.Object) []string { return eventsOfType(t, obj, "") }

// warnings returns the Warning events about the object, as "Reason: note".
func warnings(t *testing.T, obj client.Object) []string {
	return eventsOfType(t, obj, corev1.EventTypeWarning)
}

// eventsOfType returns the events of one type ("" for all) about the object.
func eventsOfType(t *testing.T, obj client.Object, eventType string) []string {
	t.Helper()
	list := &eventsv1.EventList{}
	must(t, k8s.List(context.Background(), list, client.InNamespace(obj.GetNamespace())))
	var out []string
	for _, e := range list.Items {
		if e.Regarding.UID == obj.GetUID() && (eventType == "" || e.Type == eventType) {
			out = append(out, e.Reason+": "+e.Note)
		}
	}
	return out
}

// waitEvent waits for an event about obj whose "Reason: note" contains every part.
func waitEvent(t *testing.T, obj client.Object, parts ...string) string {
	t.Helper()
	var found string
	eventually(t, fmt.Sprintf("an event %q about %s", parts, obj.GetName()), func() string {
		for _, e := range events(t, obj) {
			ok := true
			for _, p := range parts {
				ok = ok && strings.Contains(e, p)
			}
			if ok {
				found = e
				return ""
			}
		}
		return fmt.Sprintf("events so far: %q", events(t, obj))
	})
	return found
}

// callsFor returns the simulator's calls of one action that name the product key.
func callsFor(action, productKey string) []alibabaiot.Call {
	var out []alibabaiot.Call
	for _, c := range iotSim.Calls(action) {
		if productKey == "" || c.Parameters["ProductKey"] == productKey {
			out = append(out, c)
		}
	}
	return out
}

// productsNamed returns the simulator's products with the given name.
func productsNamed(name string) []alibabaiot.Product {
	var out []alibabaiot.Product
	for _, p := range iotSim.Products() {
		if p.ProductName == name {
			out = append(out, p)
		}
	}
	return out
}

func productByKey(key string) (alibabaiot.Product, bool) {
	for _, p := range iotSim.Products() {
		if p.ProductKey == key {
			return p, true
		}
	}
	return alibabaiot.Product{}, false
}

// asSecondManager returns opts for controllers registered in a second manager of the same
// test process: the restart tests run an "old" and a "new" operator side by side.
func asSecondManager(opts engine.Options) engine.Options {
	opts.SkipNameValidation = true
	return opts
}
