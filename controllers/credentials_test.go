package controllers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

func TestIoTProductMissingSecretOrKeyIsACredentialsErrorUntilFixed(t *testing.T) {
	ns := newNamespace(t)
	noSecret := newProduct(ns, "nosecret", func(p *v1alpha1.IoTProduct) { p.Spec.CredentialsSecretRef.Name = "later" })
	must(t, k8s.Create(context.Background(), noSecret))
	ready := waitCondition(t, noSecret, v1alpha1.ConditionReady, metav1.ConditionFalse, "CredentialsError")
	if !strings.Contains(ready.Message, `Secret "later" does not exist`) {
		t.Errorf("message %q should name the missing Secret", ready.Message)
	}
	if c := condition(noSecret, v1alpha1.ConditionStalled); c.Status != metav1.ConditionTrue {
		t.Errorf("Stalled = %+v, want True", c)
	}

	createSecret(t, ns, "half", map[string]string{"accessKeyId": alibabaKeyID})
	noKey := newProduct(ns, "nokey", func(p *v1alpha1.IoTProduct) { p.Spec.CredentialsSecretRef.Name = "half" })
	must(t, k8s.Create(context.Background(), noKey))
	ready = waitCondition(t, noKey, v1alpha1.ConditionReady, metav1.ConditionFalse, "CredentialsError")
	if !strings.Contains(ready.Message, `"half" has no accessKeySecret`) {
		t.Errorf("message %q should name the missing key", ready.Message)
	}

	// Creating the Secret unblocks the first one at once (the Secret watch), not after a retry period.
	createSecret(t, ns, "later", map[string]string{"accessKeyId": alibabaKeyID, "accessKeySecret": alibabaSecret})
	waitCondition(t, noSecret, v1alpha1.ConditionReady, metav1.ConditionTrue, "Available")
}

func TestIoTProductWithoutSecretUsesTheOperatorsCredentialChain(t *testing.T) {
	needsAPIServer(t)
	ns := ownCredentialsNamespace
	p := newProduct(ns, "chain", func(p *v1alpha1.IoTProduct) { p.Spec.CredentialsSecretRef = nil })
	must(t, k8s.Create(context.Background(), p))
	waitCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionTrue, "Available")
	got, _ := productByKey(p.Status.ProductKey)
	if got.Owner != chainKeyID {
		t.Fatalf("product made by %q, want the operator's own key %q", got.Owner, chainKeyID)
	}
	deleteAndWaitGone(t, p)
}

// The operator's own credentials are the whole cluster's account: outside the namespaces an
// administrator allows, a resource without a Secret never reaches the platform with them,
// neither to create or adopt a product nor, when deleted, to delete it.
func TestOnlyAllowedNamespacesUseTheOperatorsCredentials(t *testing.T) {
	needsAPIServer(t)
	ctx := context.Background()
	owner := newProduct(ownCredentialsNamespace, "victim", func(p *v1alpha1.IoTProduct) { p.Spec.CredentialsSecretRef = nil })
	must(t, k8s.Create(ctx, owner))
	waitCondition(t, owner, v1alpha1.ConditionReady, metav1.ConditionTrue, "Available")
	victimKey := owner.Status.ProductKey

	ns := newNamespace(t)
	for name, mutate := range map[string]func(*v1alpha1.IoTProduct){
		"adopt":  func(p *v1alpha1.IoTProduct) { p.Spec.CredentialsSecretRef, p.Spec.ProductKey = nil, victimKey },
		"create": func(p *v1alpha1.IoTProduct) { p.Spec.CredentialsSecretRef = nil },
	} {
		p := newProduct(ns, name, mutate)
		must(t, k8s.Create(ctx, p))
		ready := waitCondition(t, p, v1alpha1.ConditionStalled, metav1.ConditionTrue, "CredentialsError")
		for _, part := range []string{"--default-credentials-namespaces", fmt.Sprintf("%q", ns), "spec.credentialsSecretRef"} {
			if !strings.Contains(ready.Message, part) {
				t.Errorf("%s: message %q should say %s", name, ready.Message, part)
			}
		}
		// Deleting it leaves the other namespace's product alone: the adopting one was never
		// allowed to manage it, the other never created anything.
		deleteAndWaitGone(t, p)
	}
	if _, ok := productByKey(victimKey); !ok {
		t.Fatalf("product %s of another namespace is gone", victimKey)
	}
	if calls := callsFor("DeleteProduct", victimKey); len(calls) != 0 {
		t.Errorf("DeleteProduct of %s was called: %+v", victimKey, calls)
	}
	if products := productsNamed(newProduct(ns, "create").Spec.ProductName); len(products) != 0 {
		t.Errorf("a product was created with the operator's credentials for a namespace not allowed: %+v", products)
	}
	deleteAndWaitGone(t, owner)
}

// The Secret is held while a resource needs it, so deleting the whole namespace (Secret
// and all) still deletes every product on the platform, and then the namespace goes.
func TestDeletingANamespaceDeletesEveryProductAndThenTheNamespace(t *testing.T) {
	ns := newNamespace(t)
	ctx := context.Background()
	_, key1 := readyProduct(t, ns, "first")
	_, key2 := readyProduct(t, ns, "second")

	secret := &corev1.Secret{}
	must(t, k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "alibaba-credentials"}, secret))
	if !contains(secret.Finalizers, v1alpha1.CredentialsInUseFinalizer) {
		t.Fatalf("the credentials Secret has finalizers %v, want %s while products use it", secret.Finalizers, v1alpha1.CredentialsInUseFinalizer)
	}

	must(t, k8s.Delete(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}))
	eventually(t, "the namespace to disappear", func() string {
		err := k8s.Get(ctx, client.ObjectKey{Name: ns}, &corev1.Namespace{})
		if apierrors.IsNotFound(err) {
			return ""
		}
		return "namespace still there"
	})
	for _, key := range []string{key1, key2} {
		if _, ok := productByKey(key); ok {
			t.Errorf("product %s is still on the platform after its namespace was deleted", key)
		}
		if calls := callsFor("DeleteProduct", key); len(calls) != 1 {
			t.Errorf("DeleteProduct calls for %s: %d, want 1", key, len(calls))
		}
	}
}

// A feed has no periodic resync, so nothing in its own reconciles would notice its Secret
// losing the finalizer (a person's patch, or a removal decided on a stale cache): the
// credentials controller puts it back while a user holds the lifecycle finalizer, and a
// namespace deletion still deletes the feed's products.
func TestCredentialsFinalizerTakenOffASecretInUseComesBack(t *testing.T) {
	ns := newFeedNamespace(t, flipsnackKey, flipsnackSecret)
	ctx := context.Background()
	hash := readyFeed(t, newFeed(ns, "held"))

	secret := &corev1.Secret{}
	key := client.ObjectKey{Namespace: ns, Name: feedSecret}
	must(t, k8s.Get(ctx, key, secret))
	base := secret.DeepCopy()
	secret.Finalizers = nil
	must(t, k8s.Patch(ctx, secret, client.MergeFrom(base)))

	eventually(t, "the credentials-in-use finalizer to come back", func() string {
		must(t, k8s.Get(ctx, key, secret))
		if contains(secret.Finalizers, v1alpha1.CredentialsInUseFinalizer) {
			return ""
		}
		return "Secret finalizers " + strings.Join(secret.Finalizers, ",")
	})

	must(t, k8s.Delete(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}))
	eventually(t, "the namespace to disappear", func() string {
		if apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKey{Name: ns}, &corev1.Namespace{})) {
			return ""
		}
		return "namespace still there"
	})
	if f, ok := simFeed(hash); ok && len(f.Products) > 0 {
		t.Errorf("feed %s still has %d products on the platform after its namespace was deleted", hash, len(f.Products))
	}
}

// The operator holds (and reads credentials from) only Opaque Secrets that hold the keys it
// needs: naming a Secret of another type, or one without the keys, never puts the
// operator's finalizer on something that belongs to someone else.
func TestOnlyAnOpaqueSecretWithTheKeysIsHeld(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t)
	tls := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "basic"},
		Type:       corev1.SecretTypeBasicAuth,
		StringData: map[string]string{"username": "u", "password": "p", "accessKeyId": alibabaKeyID, "accessKeySecret": alibabaSecret},
	}
	must(t, k8s.Create(ctx, tls))
	createSecret(t, ns, "half", map[string]string{"accessKeyId": alibabaKeyID})

	for name, want := range map[string]string{"basic": "is of type kubernetes.io/basic-auth", "half": "has no accessKeySecret"} {
		p := newProduct(ns, "uses-"+name, func(p *v1alpha1.IoTProduct) { p.Spec.CredentialsSecretRef.Name = name })
		must(t, k8s.Create(ctx, p))
		c := waitCondition(t, p, v1alpha1.ConditionStalled, metav1.ConditionTrue, "CredentialsError")
		if !strings.Contains(c.Message, want) {
			t.Errorf("Secret %s: message %q should say it %s", name, c.Message, want)
		}
		// The object holds its own finalizer (its deletion is reported) but the Secret is not held.
		eventually(t, "the object's finalizer", func() string {
			must(t, k8s.Get(ctx, client.ObjectKeyFromObject(p), p))
			if !contains(p.Finalizers, v1alpha1.Finalizer) {
				return fmt.Sprintf("finalizers %v", p.Finalizers)
			}
			return ""
		})
		secret := &corev1.Secret{}
		must(t, k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, secret))
		if contains(secret.Finalizers, v1alpha1.CredentialsInUseFinalizer) {
			t.Errorf("Secret %s (%s) took the operator's finalizer", name, want)
		}
	}
}
