package engine

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// connect loads the resource's credentials Secret, makes sure the Secret is held by the
// credentials-in-use finalizer while the resource holds its own, and asks the kind's
// Connector for a platform client. A non-nil halt ends the reconcile: the credentials
// cannot be used (said in the status) or could not be read.
func (e *Engine[T, P]) connect(ctx context.Context, obj T, hint string) (External[T, P], *halt) {
	var (
		data   map[string][]byte
		secret *corev1.Secret
		err    error
	)
	name := obj.GetCredentialsSecretName()
	if name == "" && (e.MayUseOwnCredentials == nil || !e.MayUseOwnCredentials(obj.GetNamespace())) {
		// The operator's own identity is the account of the whole cluster: a namespace
		// that may not use it must not reach the platform with it, not even to delete.
		return nil, stopWith(e.credentialsFailed(obj, hint, fmt.Sprintf(
			"spec.credentialsSecretRef is not set, and the operator's own credentials serve only the namespaces an administrator allows (flag --default-credentials-namespaces, Helm value defaultCredentialsNamespaces), which do not include %q: "+
				"create a credentials Secret in this namespace and name it in spec.credentialsSecretRef, or ask an administrator to allow this namespace", obj.GetNamespace())), nil)
	}
	if name != "" {
		secret, err = e.credentialsSecret(ctx, obj)
		if apierrors.IsNotFound(err) {
			return nil, stopWith(e.credentialsFailed(obj, hint, fmt.Sprintf("the credentials Secret %q does not exist in namespace %q", name, obj.GetNamespace())), nil)
		}
		if err != nil {
			return nil, stopWith(ctrl.Result{}, fmt.Errorf("reading credentials Secret %s: %w", name, err))
		}
		if !isOpaque(secret) {
			return nil, stopWith(e.credentialsFailed(obj, hint, fmt.Sprintf(
				"the credentials Secret %q is of type %s: the operator reads credentials only from Secrets of type Opaque (kubectl create secret generic), and leaves Secrets of other types alone", name, secret.Type)), nil)
		}
		data = secret.Data
	}
	ext, err := e.Connector.Connect(ctx, obj, data, statusStore{client: e.Client})
	var credErr *CredentialsError
	if errors.As(err, &credErr) {
		return nil, stopWith(e.credentialsFailed(obj, hint, credErr.Reason), nil)
	}
	if err != nil {
		return nil, stopWith(ctrl.Result{}, fmt.Errorf("connecting to the platform: %w", err))
	}
	// Only a Secret that holds usable credentials (the Connector checked its keys) is held,
	// and only for objects that hold the lifecycle finalizer (the credentials controller's
	// rule); a new object's Secret is protected when it takes its own.
	if secret != nil && controllerutil.ContainsFinalizer(obj, v1alpha1.Finalizer) {
		if err := holdSecret(ctx, e.Client, e.APIReader, secret); err != nil {
			return nil, stopWith(ctrl.Result{}, fmt.Errorf("protecting credentials Secret %s: %w", name, err))
		}
	}
	return ext, nil
}

// isOpaque tells whether secret is of the one type credentials are read from: Opaque (the
// API server's default). A Secret of another type (a ServiceAccount token, a TLS key pair,
// a registry login) belongs to something else and never takes the operator's finalizer.
func isOpaque(secret *corev1.Secret) bool {
	return secret.Type == "" || secret.Type == corev1.SecretTypeOpaque
}

// holdsCredentials tells whether secret is one the operator may hold with its finalizer:
// Opaque, with every key of one kind's credentials.
func holdsCredentials(secret *corev1.Secret) bool {
	if !isOpaque(secret) {
		return false
	}
	for _, k := range v1alpha1.Kinds {
		if len(MissingKeys(secret.Data, k.CredentialKeys)) == 0 {
			return true
		}
	}
	return false
}

// MissingKeys are the keys of a credentials Secret's data that are absent or empty.
func MissingKeys(data map[string][]byte, keys []string) []string {
	var missing []string
	for _, key := range keys {
		if len(data[key]) == 0 {
			missing = append(missing, key)
		}
	}
	return missing
}

// secretMetadata is an empty Secret of the metadata-only kind the cache holds.
func secretMetadata() *metav1.PartialObjectMetadata {
	m := &metav1.PartialObjectMetadata{}
	m.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	return m
}

// credentialsSecret reads the Secret obj names: from the API server (ClientOptions: Secrets
// are never cached in full), unless the same version of it was read before (secretData).
func (e *Engine[T, P]) credentialsSecret(ctx context.Context, obj T) (*corev1.Secret, error) {
	key := types.NamespacedName{Namespace: obj.GetNamespace(), Name: obj.GetCredentialsSecretName()}
	if secret, ok := e.Secrets.get(ctx, key); ok {
		return secret, nil
	}
	secret := &corev1.Secret{}
	err := e.Client.Get(ctx, key, secret)
	if err == nil {
		e.Secrets.put(secret)
	}
	return secret, err
}

// protectSecretOf protects the credentials Secret obj names, if it names one.
func (e *Engine[T, P]) protectSecretOf(ctx context.Context, obj T) error {
	name := obj.GetCredentialsSecretName()
	if name == "" {
		return nil
	}
	secret, err := e.credentialsSecret(ctx, obj)
	if err != nil {
		return fmt.Errorf("reading credentials Secret %s: %w", name, err)
	}
	if err := holdSecret(ctx, e.Client, e.APIReader, secret); err != nil {
		return fmt.Errorf("protecting credentials Secret %s: %w", name, err)
	}
	return nil
}

// holdSecret puts the credentials-in-use finalizer on secret (a Secret, whole or its
// metadata) unless it is there. A Secret already being deleted cannot take a new finalizer;
// its data is still readable until it goes, which is all a reconcile needs. Many resources
// share one Secret, so a burst of them (and the credentials controller) race to hold it: a
// conflict is answered by reading the Secret's metadata again through live, not by failing.
func holdSecret(ctx context.Context, c client.Client, live client.Reader, secret client.Object) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if secret.GetDeletionTimestamp() != nil || controllerutil.ContainsFinalizer(secret, v1alpha1.CredentialsInUseFinalizer) {
			return nil
		}
		err := patchMetadata(ctx, c, secret, func(s client.Object) {
			controllerutil.AddFinalizer(s, v1alpha1.CredentialsInUseFinalizer)
		})
		if apierrors.IsConflict(err) {
			if rerr := takeLiveMetadata(ctx, live, secret, secretMetadata()); rerr != nil {
				return rerr
			}
		}
		return err
	})
}

// credentialsFailed reports credentials that cannot be used. Only a person can fix them, so
// it is Stalled; the Secret watch brings the object back as soon as the Secret changes.
func (e *Engine[T, P]) credentialsFailed(obj T, hint, reason string) ctrl.Result {
	return e.stall(obj, ReasonCredentialsError, "Connect", reason+hint)
}
