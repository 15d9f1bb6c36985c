package testenv

import (
	"context"
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// ApplyCredentials writes the credentials Secrets the samples use into namespace, one per
// platform (platforms.go). It can be called again: the Secrets are applied
// (server-side, as fieldOwner).
func ApplyCredentials(ctx context.Context, c client.Client, namespace string, creds Credentials, fieldOwner string) error {
	for _, s := range credentialsSecrets(namespace, creds) {
		if err := c.Apply(ctx, s, client.FieldOwner(fieldOwner), client.ForceOwnership); err != nil {
			return fmt.Errorf("writing Secret %s/%s: %w", namespace, *s.Name, err)
		}
	}
	return nil
}
