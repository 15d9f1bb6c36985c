package v1alpha1_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// as is a client that acts as user, in the group every test user is in: RBAC lets that
// group do anything with the operator's kinds and Secrets in every namespace (explicitly, no
// wildcard), and nothing more, so what is refused below is refused by the admission
// policies. The identity annotations policy trusts whom RBAC grants prodlife.dev identities
// cluster-wide: testenv grants the manager `write`; the tenants have no such grant.
func as(t *testing.T, user string, groups ...string) client.Client {
	t.Helper()
	grantTestUsers(t)
	return impersonating(t, user, groups...)
}

func impersonating(t *testing.T, user string, groups ...string) client.Client {
	t.Helper()
	cfg := rest.CopyConfig(env.Config)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user, Groups: append([]string{testUsersGroup}, groups...)}
	c, err := client.New(cfg, client.Options{Scheme: env.Scheme})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const testUsersGroup = "admission-test-users"

var granted sync.Once

// grantTestUsers gives the test users' group its RBAC, once.
func grantTestUsers(t *testing.T) {
	granted.Do(func() {
		ctx := context.Background()
		role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: testUsersGroup}, Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{"prodlife.dev"}, Resources: []string{"iotproducts", "flipsnackfeeds"}, Verbs: []string{"get", "list", "watch", "create", "update", "patch", "delete"}},
			{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get", "list", "watch", "create", "update", "patch", "delete"}},
		}}
		binding := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: testUsersGroup},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: testUsersGroup},
			Subjects: []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: "Group", Name: testUsersGroup}}}
		for _, obj := range []client.Object{role, binding} {
			if err := k8s.Create(ctx, obj); err != nil {
				t.Fatalf("granting the test users: %v", err)
			}
		}
		// RBAC is read from an informer: wait until the API server applies the grant.
		testenv.Eventually(t, 30*time.Second, "the test users' RBAC", func() string {
			if err := impersonating(t, "probe").List(ctx, &v1alpha1.IoTProductList{}); err != nil {
				return err.Error()
			}
			return ""
		})
	})
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

	// The operator (the manager's user, granted write on prodlife.dev identities) records an identity.
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
	// What an administrator does, as config/rbac/identity_restorer_role.yaml says.
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "identity-restorer"}, Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{"prodlife.dev"}, Resources: []string{"identities"}, Verbs: []string{"restore"}}}}
	binding := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "identity-restorer"},
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "identity-restorer"},
		Subjects: []rbacv1.Subject{
			{APIGroup: rbacv1.GroupName, Kind: "User", Name: "system:serviceaccount:velero:velero"},
			{APIGroup: rbacv1.GroupName, Kind: "Group", Name: "backup-operators"},
		}}
	for _, obj := range []client.Object{role, binding} {
		if err := k8s.Create(ctx, obj); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = k8s.Delete(ctx, obj) })
	}

	annotations := map[string]string{v1alpha1.ExternalIDAnnotation: "a1Restored"}
	// RBAC is read from an informer: give the API server a moment to see the grant.
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

// A tenant whose namespace Role grants everything, wildcards and all, is still not the
// operator: the grant the policy asks for is cluster-wide, which no Role can give.
func TestATenantsWildcardRoleDoesNotMakeHerTheOperator(t *testing.T) {
	ctx := context.Background()
	ns := admissionNamespace(t, "admission-wildcard")
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "everything"}, Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"*"}}}}
	binding := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "everything"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "everything"},
		Subjects: []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: "User", Name: "wild"}}}
	for _, obj := range []client.Object{role, binding} {
		if err := k8s.Create(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	cfg := rest.CopyConfig(env.Config)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "wild"}
	wild, err := client.New(cfg, client.Options{Scheme: env.Scheme})
	if err != nil {
		t.Fatal(err)
	}
	p := admissionProduct(ns, "wild", nil)
	testenv.Eventually(t, 30*time.Second, "the Role to apply", func() string {
		if err := wild.Create(ctx, p); err != nil {
			return err.Error()
		}
		return ""
	})
	err = wild.Patch(ctx, p, client.RawPatch(types.MergePatchType, []byte(`{"metadata":{"annotations":{"prodlife.dev/external-id":"a1Victim"}}}`)))
	refused(t, "a tenant with a wildcard Role adding external-id", err, v1alpha1.ExternalIDAnnotation)
}

// Without the admission-identities ConfigMap (deleted by mistake, or renamed by an overlay),
// nothing that leaves the identity annotations alone is refused: plain creates, the
// operator's finalizer removal that ends every deletion. The annotations stay the operator's.
func TestWithoutTheParametersDeletionsCompleteAndTheAnnotationsStayTheOperators(t *testing.T) {
	ctx := context.Background()
	ns := admissionNamespace(t, "admission-no-params")
	params := &corev1.ConfigMap{}
	key := client.ObjectKey{Namespace: "prodlife-system", Name: "admission-identities"}
	if err := k8s.Get(ctx, key, params); err != nil {
		t.Fatalf("the policies' parameters: %v", err)
	}
	if err := k8s.Delete(ctx, params); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		params.ResourceVersion = ""
		_ = k8s.Create(ctx, params)
	})
	// The policies read their parameters from an informer: wait until the deletion is seen,
	// which the credentials Secrets policy shows by no longer confining the manager.
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "probe"}, Data: map[string][]byte{"k": []byte("v")}}
	if err := k8s.Create(ctx, secret); err != nil {
		t.Fatal(err)
	}
	manager, tenant := as(t, testenv.ManagerUser), as(t, "tenant")
	testenv.Eventually(t, 30*time.Second, "the parameters' deletion to be seen", func() string {
		if err := manager.Patch(ctx, secret, client.RawPatch(types.MergePatchType, []byte(`{"metadata":{"labels":{"seen":"yes"}}}`))); err != nil {
			return err.Error()
		}
		return ""
	})

	p := admissionProduct(ns, "plain", nil)
	if err := tenant.Create(ctx, p); err != nil {
		t.Fatalf("a plain create without the parameters: %v", err)
	}
	finalize := func(c client.Client, finalizers string) error {
		return c.Patch(ctx, p, client.RawPatch(types.MergePatchType, []byte(`{"metadata":{"finalizers":`+finalizers+`}}`)))
	}
	if err := finalize(manager, `["prodlife.dev/external-delete"]`); err != nil {
		t.Fatalf("the operator adding its finalizer: %v", err)
	}
	if err := manager.Patch(ctx, p, client.RawPatch(types.MergePatchType, []byte(`{"metadata":{"annotations":{"prodlife.dev/external-id":"a1Mine"}}}`))); err != nil {
		t.Fatalf("the operator recording an identity: %v", err)
	}
	refused(t, "a tenant changing external-id without the parameters",
		tenant.Patch(ctx, p, client.RawPatch(types.MergePatchType, []byte(`{"metadata":{"annotations":{"prodlife.dev/external-id":"a1Victim"}}}`))),
		v1alpha1.ExternalIDAnnotation)
	if err := tenant.Delete(ctx, p); err != nil {
		t.Fatalf("deleting: %v", err)
	}
	if err := finalize(manager, `null`); err != nil {
		t.Errorf("the operator removing its finalizer, which ends the deletion: %v", err)
	}
	testenv.Eventually(t, 30*time.Second, "the resource to go", func() string {
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(p), p); err == nil {
			return "still there"
		}
		return ""
	})
}
