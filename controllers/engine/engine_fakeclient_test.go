package engine_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
)

// A new object takes its finalizer and the create-pending mark in one write, then says
// "Creating" before the platform is called. When that cannot be said (the API server refused
// the status write), nothing was sent to the platform under the mark: the mark goes again,
// the finalizer stays. A mark left behind would make the next reconcile look the product up
// by name, and take over one that another resource made meanwhile.
func TestCreateTakesBackItsMarkWhenItStopsBeforeThePlatformCall(t *testing.T) {
	ctx := context.Background()
	p := &v1alpha1.IoTProduct{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "sensor"}}
	p.Spec.ProductName = "sensor"
	p.Spec.CredentialsSecretRef = nil
	c := interceptor.NewClient(fakeClient(t, p).(client.WithWatch), interceptor.Funcs{
		SubResourcePatch: func(context.Context, client.Client, string, client.Object, client.Patch, ...client.SubResourcePatchOption) error {
			return errors.New("the API server is unavailable")
		},
	})
	platform := &recordingExternal{}
	reconciler := &engine.Engine[*v1alpha1.IoTProduct, engine.NoPlan]{
		Client: c, APIReader: c, Noun: "product",
		NewObject: func() *v1alpha1.IoTProduct { return &v1alpha1.IoTProduct{} },
		NewList:   func() client.ObjectList { return &v1alpha1.IoTProductList{} },
		// The operator's own credentials, as for a namespace an administrator allows.
		MayUseOwnCredentials: func(string) bool { return true },
		Connector:            platform,
	}

	if _, err := reconciler.Reconcile(ctx, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(p)}); err == nil {
		t.Fatal("the reconcile reported no error although the status could not be written")
	}
	if len(platform.calls) > 0 {
		t.Errorf("platform calls %v, want none", platform.calls)
	}
	got := &v1alpha1.IoTProduct{}
	must(t, c.Get(ctx, client.ObjectKeyFromObject(p), got))
	if _, marked := got.Annotations[v1alpha1.CreatePendingAnnotation]; marked {
		t.Errorf("annotations %v: the create-pending mark stayed with no create behind it", got.Annotations)
	}
	if !contains(got.Finalizers, v1alpha1.Finalizer) {
		t.Errorf("finalizers %v, want %s", got.Finalizers, v1alpha1.Finalizer)
	}
}

// A deletion asks the API server whether the kind's CRD is being deleted (an uninstall keeps
// the products). A refusal is retried with backoff at first (an API server that has just
// started refuses until its RBAC caches are filled); one that lasts needs a person: the
// object says so, Stalled, with the permission to grant and the way out. No product is
// deleted either way.
func TestDeletionThatMayNotReadTheCRDIsStalledWithTheWayOut(t *testing.T) {
	ctx := context.Background()
	now := metav1.Now()
	p := &v1alpha1.IoTProduct{ObjectMeta: metav1.ObjectMeta{
		Namespace: "shop", Name: "sensor", DeletionTimestamp: &now, Finalizers: []string{v1alpha1.Finalizer},
		Annotations: map[string]string{v1alpha1.ExternalIDAnnotation: "a1Key"},
	}}
	p.Spec.ProductName = "sensor"
	p.Spec.CredentialsSecretRef = nil
	c := fakeClient(t, p)
	noCRDs := interceptor.NewClient(c.(client.WithWatch), interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			if obj.GetObjectKind().GroupVersionKind().Kind == "CustomResourceDefinition" {
				return apierrors.NewForbidden(schema.GroupResource{Group: "apiextensions.k8s.io", Resource: "customresourcedefinitions"}, key.Name, errors.New("RBAC: not allowed"))
			}
			return c.Get(ctx, key, obj, opts...)
		},
	})
	platform := &recordingExternal{}
	reconciler := deletingEngine(c, noCRDs, platform)

	if _, err := reconciler.Reconcile(ctx, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(p)}); err == nil {
		t.Error("a first refusal was not retried with backoff")
	}
	first := &v1alpha1.IoTProduct{}
	must(t, c.Get(ctx, client.ObjectKeyFromObject(p), first))
	if s := condition(first, v1alpha1.ConditionStalled); s != nil && s.Status == metav1.ConditionTrue {
		t.Errorf("Stalled = %+v at the first refusal, want it retried first", s)
	}

	defer engine.SetCRDRefusalGrace(0)() // the refusal has lasted
	res, err := reconciler.Reconcile(ctx, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(p)})
	if err != nil || res.RequeueAfter <= 0 {
		t.Errorf("Reconcile = %+v, %v; want a slow retry and no error (retrying sooner cannot help)", res, err)
	}
	if len(platform.calls) > 0 {
		t.Errorf("platform calls %v, want none", platform.calls)
	}
	got := &v1alpha1.IoTProduct{}
	must(t, c.Get(ctx, client.ObjectKeyFromObject(p), got))
	if s := condition(got, v1alpha1.ConditionStalled); s == nil || s.Status != metav1.ConditionTrue {
		t.Errorf("Stalled = %+v, want True", s)
	}
	ready := condition(got, v1alpha1.ConditionReady)
	for _, part := range []string{"get on customresourcedefinitions named iotproducts.prodlife.dev", "deletionPolicy to Orphan"} {
		if ready == nil || !strings.Contains(ready.Message, part) {
			t.Errorf("Ready = %+v, want a message with %q", ready, part)
		}
	}
}

// A watch event can queue an object again just after its deletion released it, while the
// cache still holds it with its finalizer: that reconcile must not delete the product on the
// platform a second time.
func TestAReleasedObjectSeenAgainFromAStaleCacheIsNotDeletedTwice(t *testing.T) {
	ctx := context.Background()
	p := productBeingDeleted()
	stale := p.DeepCopy()
	c := fakeClient(t, p)
	cacheLagging := false
	reader := interceptor.NewClient(c.(client.WithWatch), interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			switch {
			case obj.GetObjectKind().GroupVersionKind().Kind == "CustomResourceDefinition":
				return nil // there, and not being deleted
			case cacheLagging:
				stale.DeepCopyInto(obj.(*v1alpha1.IoTProduct))
				return nil
			}
			return c.Get(ctx, key, obj, opts...)
		},
	})
	platform := &recordingExternal{}
	reconciler := deletingEngine(reader, reader, platform)
	req := ctrl.Request{NamespacedName: client.ObjectKeyFromObject(p)}
	if _, err := reconciler.Reconcile(ctx, req); err != nil {
		t.Fatal(err)
	}
	cacheLagging = true
	if _, err := reconciler.Reconcile(ctx, req); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(platform.calls, []string{"Delete"}) {
		t.Errorf("platform calls %v, want one Delete", platform.calls)
	}
}

// recordingExternal is a platform that records what it is asked and makes nothing.
type recordingExternal struct{ calls []string }

func (r *recordingExternal) Connect(context.Context, *v1alpha1.IoTProduct, map[string][]byte, engine.Store) (engine.External[*v1alpha1.IoTProduct, engine.NoPlan], error) {
	return r, nil
}

func (r *recordingExternal) Observe(context.Context, *v1alpha1.IoTProduct, string) (engine.Observation[engine.NoPlan], error) {
	r.calls = append(r.calls, "Observe")
	return engine.Observation[engine.NoPlan]{}, nil
}

func (r *recordingExternal) Lookup(context.Context, *v1alpha1.IoTProduct) (string, bool, error) {
	r.calls = append(r.calls, "Lookup")
	return "", false, nil
}

func (r *recordingExternal) Create(context.Context, *v1alpha1.IoTProduct) (engine.Result, error) {
	r.calls = append(r.calls, "Create")
	return engine.Result{ExternalID: "made"}, nil
}

func (r *recordingExternal) Update(context.Context, *v1alpha1.IoTProduct, string, engine.Observation[engine.NoPlan]) (engine.Result, error) {
	r.calls = append(r.calls, "Update")
	return engine.Result{}, nil
}

func (r *recordingExternal) Delete(context.Context, *v1alpha1.IoTProduct, string) (engine.Result, error) {
	r.calls = append(r.calls, "Delete")
	return engine.Result{Done: true}, nil
}

// A product that matches is read again after its own pollInterval when it sets one, in
// place of the operator's sync period, shorter or longer.
func TestAMatchingProductIsReadAgainAfterItsOwnPollInterval(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		own  time.Duration // 0: none set
		want time.Duration
	}{
		{"none set", 0, 10 * time.Minute},
		{"shorter", time.Minute, time.Minute},
		{"longer", 6 * time.Hour, 6 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &v1alpha1.IoTProduct{ObjectMeta: metav1.ObjectMeta{
				Namespace: "shop", Name: "sensor", Finalizers: []string{v1alpha1.Finalizer},
				Annotations: map[string]string{v1alpha1.ExternalIDAnnotation: "a1Key"},
			}}
			p.Spec.ProductName = "sensor"
			if tc.own > 0 {
				p.Spec.PollInterval = &metav1.Duration{Duration: tc.own}
			}
			reconciler := &engine.Engine[*v1alpha1.IoTProduct, engine.NoPlan]{
				Client: fakeClient(t, p), Noun: "product", SyncPeriod: 10 * time.Minute,
				PollInterval:         ownPollInterval,
				NewObject:            func() *v1alpha1.IoTProduct { return &v1alpha1.IoTProduct{} },
				NewList:              func() client.ObjectList { return &v1alpha1.IoTProductList{} },
				MayUseOwnCredentials: func(string) bool { return true },
				Connector:            matchingExternal{&recordingExternal{}},
			}
			res, err := reconciler.Reconcile(ctx, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(p)})
			must(t, err)
			if lo, hi := tc.want*9/10, tc.want*11/10; res.RequeueAfter < lo || res.RequeueAfter > hi {
				t.Errorf("read again after %v, want %v (jittered by 10%%)", res.RequeueAfter, tc.want)
			}
		})
	}
}

// matchingExternal is a platform on which every product exists and matches its spec.
type matchingExternal struct{ *recordingExternal }

func (m matchingExternal) Connect(context.Context, *v1alpha1.IoTProduct, map[string][]byte, engine.Store) (engine.External[*v1alpha1.IoTProduct, engine.NoPlan], error) {
	return m, nil
}

func (matchingExternal) Observe(context.Context, *v1alpha1.IoTProduct, string) (engine.Observation[engine.NoPlan], error) {
	return engine.Observation[engine.NoPlan]{Exists: true, UpToDate: true}, nil
}
