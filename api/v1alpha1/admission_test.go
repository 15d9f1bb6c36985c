package v1alpha1_test

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// as is a client that acts as user (in system:masters, so RBAC lets it do anything: what is
// refused below is refused by the admission policies alone).
func as(t *testing.T, user string, groups ...string) client.Client {
	t.Helper()
	cfg := rest.CopyConfig(env.Config)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user, Groups: append([]string{"system:masters"}, groups...)}
	c, err := client.New(cfg, client.Options{Scheme: env.Scheme})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func admissionProduct(ns, name string, annotations map[string]string) *v1alpha1.IoTProduct {
	return &v1alpha1.IoTProduct{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Annotations: annotations},
		Spec:       v1alpha1.IoTProductSpec{ProductName: "sensor_" + strings.ReplaceAll(name, "-", "_"), Region: "cn-shanghai"},
	}
}

func admissionNamespace(t *testing.T, name string) string {
	t.Helper()
	if err := k8s.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}); err != nil {
		t.Fatal(err)
	}
	return name
}

// refused checks that err is the identity annotations policy's refusal naming annotation.
func refused(t *testing.T, what string, err error, annotation string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s was admitted", what)
		return
	}
	for _, part := range []string{annotation, "only the operator"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("%s: refusal %q should say %q", what, err, part)
		}
	}
}

// The identity annotations decide what a deletion deletes: a namespace user can neither bring
// them on a new resource nor add, change or remove them on an existing one.
func TestOnlyTheOperatorWritesTheIdentityAnnotations(t *testing.T) {
	ctx := context.Background()
	ns := admissionNamespace(t, "admission-identity")
	tenant := as(t, "tenant")

	for _, key := range []string{v1alpha1.ExternalIDAnnotation, v1alpha1.CreatePendingAnnotation} {
		err := tenant.Create(ctx, admissionProduct(ns, "new-with-"+strings.TrimPrefix(key, "prodlife.dev/"), map[string]string{key: "a1Victim"}))
		refused(t, "a create carrying "+key, err, key)
	}

	// The operator (the suite's admin is trusted as the manager) records an identity.
	p := admissionProduct(ns, "existing", map[string]string{"team": "a"})
	if err := tenant.Create(ctx, p); err != nil {
		t.Fatalf("a create without the annotations: %v", err)
	}
	patch := func(c client.Client, annotations string) error {
		return c.Patch(ctx, p, client.RawPatch(types.MergePatchType, []byte(`{"metadata":{"annotations":`+annotations+`}}`)))
	}
	refused(t, "adding external-id", patch(tenant, `{"prodlife.dev/external-id":"a1Victim"}`), v1alpha1.ExternalIDAnnotation)
	if err := patch(as(t, testenv.ManagerUser), `{"prodlife.dev/external-id":"a1Mine"}`); err != nil {
		t.Fatalf("the operator records the identity: %v", err)
	}
	refused(t, "changing external-id", patch(tenant, `{"prodlife.dev/external-id":"a1Victim"}`), v1alpha1.ExternalIDAnnotation)
	refused(t, "removing external-id", patch(tenant, `{"prodlife.dev/external-id":null}`), v1alpha1.ExternalIDAnnotation)
	refused(t, "adding create-pending", patch(tenant, `{"prodlife.dev/create-pending":"2026-01-01T00:00:00Z"}`), v1alpha1.CreatePendingAnnotation)
	if err := patch(tenant, `{"team":"b"}`); err != nil {
		t.Errorf("another annotation should stay the user's to change: %v", err)
	}
	if err := tenant.Patch(ctx, p, client.RawPatch(types.MergePatchType, []byte(`{"spec":{"description":"changed"}}`))); err != nil {
		t.Errorf("a spec change with the annotations untouched: %v", err)
	}
	if err := tenant.Delete(ctx, p); err != nil {
		t.Errorf("deleting: %v", err)
	}
}

// A backup tool restores resources with their annotations: an administrator lists it as
// trusted for restores, and then it may create (only create) resources that carry them.
func TestTrustedRestoreIdentitiesMayCreateWithTheAnnotations(t *testing.T) {
	ctx := context.Background()
	ns := admissionNamespace(t, "admission-restore")
	params := &corev1.ConfigMap{}
	key := client.ObjectKey{Namespace: "prodlife-system", Name: "admission-identities"}
	if err := k8s.Get(ctx, key, params); err != nil {
		t.Fatalf("the policies' parameters: %v", err)
	}
	before := params.DeepCopy()
	params.Data["restoreUsernames"] = "system:serviceaccount:velero:velero"
	params.Data["restoreGroups"] = "backup-operators"
	if err := k8s.Update(ctx, params); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		params.Data = before.Data
		_ = k8s.Update(ctx, params)
	})

	annotations := map[string]string{v1alpha1.ExternalIDAnnotation: "a1Restored"}
	// The policy reads its parameters from an informer: give it a moment to see the change.
	testenv.Eventually(t, 30*time.Second, "the restore identity to be trusted", func() string {
		err := as(t, "system:serviceaccount:velero:velero").Create(ctx, admissionProduct(ns, "restored", annotations))
		if err != nil {
			return err.Error()
		}
		return ""
	})
	if err := as(t, "someone", "backup-operators").Create(ctx, admissionProduct(ns, "restored-by-group", annotations)); err != nil {
		t.Errorf("a member of a trusted group: %v", err)
	}
	restored := admissionProduct(ns, "restored", nil)
	err := as(t, "system:serviceaccount:velero:velero").Patch(ctx, restored,
		client.RawPatch(types.MergePatchType, []byte(`{"metadata":{"annotations":{"prodlife.dev/external-id":"a1Other"}}}`)))
	refused(t, "a restore identity changing the annotation after the create", err, v1alpha1.ExternalIDAnnotation)
	refused(t, "an untrusted create", as(t, "tenant").Create(ctx, admissionProduct(ns, "not-restored", annotations)), v1alpha1.ExternalIDAnnotation)
}

// The manager may patch Secrets (to hold them with its finalizer), and the admission policy
// confines it to exactly that finalizer.
func TestTheOperatorMayChangeNothingInASecretButItsFinalizer(t *testing.T) {
	ctx := context.Background()
	ns := admissionNamespace(t, "admission-secrets")
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "credentials", Labels: map[string]string{"team": "a"}},
		Data:       map[string][]byte{"accessKeyId": []byte("id"), "accessKeySecret": []byte("secret")},
	}
	if err := k8s.Create(ctx, secret); err != nil {
		t.Fatal(err)
	}
	manager := as(t, testenv.ManagerUser)
	patch := func(body string) error {
		return manager.Patch(ctx, secret, client.RawPatch(types.MergePatchType, []byte(body)))
	}
	if err := patch(`{"metadata":{"finalizers":["prodlife.dev/credentials-in-use"]}}`); err != nil {
		t.Fatalf("the manager adding its finalizer: %v", err)
	}
	for what, body := range map[string]string{
		"changing the data":      `{"data":{"accessKeySecret":"` + "b3RoZXI=" + `"}}`,
		"removing a key":         `{"data":{"accessKeyId":null}}`,
		"adding a label":         `{"metadata":{"labels":{"stolen":"yes"}}}`,
		"adding an annotation":   `{"metadata":{"annotations":{"x":"y"}}}`,
		"adding a finalizer":     `{"metadata":{"finalizers":["prodlife.dev/credentials-in-use","other.dev/hold"]}}`,
		"taking ownership of it": `{"metadata":{"ownerReferences":[{"apiVersion":"v1","kind":"Namespace","name":"x","uid":"1"}]}}`,
	} {
		err := patch(body)
		if err == nil || !strings.Contains(err.Error(), "only add or remove the finalizer prodlife.dev/credentials-in-use") {
			t.Errorf("the manager %s: %v, want the policy's refusal", what, err)
		}
	}
	if err := manager.Delete(ctx, secret); err == nil || !strings.Contains(err.Error(), "only add or remove the finalizer") {
		t.Errorf("the manager deleting the Secret: %v, want the policy's refusal", err)
	}
	if err := patch(`{"metadata":{"finalizers":null}}`); err != nil {
		t.Errorf("the manager removing its finalizer: %v", err)
	}
	// Anyone else is not concerned by this policy.
	if err := as(t, "tenant").Patch(ctx, secret, client.RawPatch(types.MergePatchType, []byte(`{"data":{"accessKeySecret":"bmV3"}}`))); err != nil {
		t.Errorf("the Secret's owner rotating a key: %v", err)
	}
}
