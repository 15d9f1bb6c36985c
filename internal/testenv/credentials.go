package testenv

import (
	"context"
	"fmt"

	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// Credentials are one account on each simulated platform.
type Credentials struct {
	AlibabaAccessKeyID     string
	AlibabaAccessKeySecret string
	FlipsnackAPIKey        string
	FlipsnackAPISecret     string
}

// The Secrets the samples (config/samples) name in credentialsSecretRef.
const (
	AlibabaSecretName   = "alibaba-credentials"
	FlipsnackSecretName = "flipsnack-credentials"
)

// ApplyCredentials writes the two credentials Secrets the samples use into namespace, with the
// keys the kinds read (api/v1alpha1/kinds.go). It can be called again: the Secrets are applied
// (server-side, as fieldOwner).
func ApplyCredentials(ctx context.Context, c client.Client, namespace string, creds Credentials, fieldOwner string) error {
	secrets := []*corev1ac.SecretApplyConfiguration{
		corev1ac.Secret(AlibabaSecretName, namespace).WithData(map[string][]byte{
			v1alpha1.SecretKeyAccessKeyID:     []byte(creds.AlibabaAccessKeyID),
			v1alpha1.SecretKeyAccessKeySecret: []byte(creds.AlibabaAccessKeySecret),
		}),
		corev1ac.Secret(FlipsnackSecretName, namespace).WithData(map[string][]byte{
			v1alpha1.SecretKeyAPIKey:    []byte(creds.FlipsnackAPIKey),
			v1alpha1.SecretKeyAPISecret: []byte(creds.FlipsnackAPISecret),
		}),
	}
	for _, s := range secrets {
		if err := c.Apply(ctx, s, client.FieldOwner(fieldOwner), client.ForceOwnership); err != nil {
			return fmt.Errorf("writing Secret %s/%s: %w", namespace, *s.Name, err)
		}
	}
	return nil
}
