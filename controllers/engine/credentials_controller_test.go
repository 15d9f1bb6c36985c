package engine_test

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
)

// The cache of resources can lag behind the Secret's: a feed's lifecycle finalizer, written
// just before the engine protected the Secret, may not be in it yet. The finalizer only
// comes off when a live read agrees that no user holds it.
func TestCredentialsFinalizerComesOffOnlyWhenALiveReadFindsNoUser(t *testing.T) {
	for _, tc := range []struct {
		name         string
		liveFinalize bool
		iotCRDGone   bool
		wantHeld     bool
	}{
		{name: "a live user keeps it", liveFinalize: true, wantHeld: true},
		{name: "no user anywhere frees it", liveFinalize: false, wantHeld: false},
		// After an uninstall has removed one kind's CRD, listing that kind fails: it has
		// no users, and the Secret must not stay held for ever.
		{name: "no user and one kind uninstalled frees it", liveFinalize: false, iotCRDGone: true, wantHeld: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{
				Namespace: "shop", Name: "flipsnack-credentials", Finalizers: []string{v1alpha1.CredentialsInUseFinalizer},
			}}
			feed := func(finalized bool) *v1alpha1.FlipsnackFeed {
				f := &v1alpha1.FlipsnackFeed{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "spring"}}
				f.Spec.CredentialsSecretRef.Name = secret.Name
				if finalized {
					f.Finalizers = []string{v1alpha1.Finalizer}
				}
				return f
			}
			cached := fakeClient(t, secret.DeepCopy(), feed(false))
			live := fakeClient(t, secret.DeepCopy(), feed(tc.liveFinalize))
			if tc.iotCRDGone {
				live = withoutIoTProducts(live)
			}

			r := &engine.CredentialsReconciler{Client: cached, APIReader: live}
			if _, err := r.Reconcile(ctx, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(secret)}); err != nil {
				t.Fatal(err)
			}
			got := &corev1.Secret{}
			must(t, cached.Get(ctx, client.ObjectKeyFromObject(secret), got))
			if held := contains(got.Finalizers, v1alpha1.CredentialsInUseFinalizer); held != tc.wantHeld {
				t.Errorf("Secret finalizers %v, want the credentials-in-use finalizer held = %v", got.Finalizers, tc.wantHeld)
			}
		})
	}
}

// fakeClient holds objs, with the status subresource of both kinds and the field indexes the
// controllers list by.
func fakeClient(t *testing.T, objs ...client.Object) client.Client {
	t.Helper()
	scheme := runtime.NewScheme()
	must(t, clientgoscheme.AddToScheme(scheme))
	must(t, v1alpha1.AddToScheme(scheme))
	bySecret := func(o client.Object) []string { return []string{o.(engine.Managed).GetCredentialsSecretName()} }
	return fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).
		WithStatusSubresource(&v1alpha1.IoTProduct{}, &v1alpha1.FlipsnackFeed{}).
		WithIndex(&v1alpha1.FlipsnackFeed{}, ".spec.credentialsSecretRef.name", bySecret).
		WithIndex(&v1alpha1.IoTProduct{}, ".spec.credentialsSecretRef.name", bySecret).
		WithIndex(&v1alpha1.FlipsnackFeed{}, engine.ExternalIDField, engine.IndexExternalID).
		WithIndex(&v1alpha1.IoTProduct{}, engine.ExternalIDField, engine.IndexExternalID).
		WithIndex(&v1alpha1.FlipsnackFeed{}, engine.SecretHolderField, engine.IndexSecretHolder).
		WithIndex(&v1alpha1.IoTProduct{}, engine.SecretHolderField, engine.IndexSecretHolder).
		Build()
}

// withoutIoTProducts answers a List of IoTProducts as the API server does once their CRD is gone.
func withoutIoTProducts(c client.Client) client.Client {
	return interceptor.NewClient(c.(client.WithWatch), interceptor.Funcs{
		List: func(ctx context.Context, c client.WithWatch, l client.ObjectList, opts ...client.ListOption) error {
			if _, ok := l.(*v1alpha1.IoTProductList); ok {
				return &meta.NoKindMatchError{GroupKind: v1alpha1.GroupVersion.WithKind("IoTProduct").GroupKind()}
			}
			return c.List(ctx, l, opts...)
		},
	})
}
