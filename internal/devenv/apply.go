package devenv

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// ApplySamples server-side applies, into namespace, the files a kustomization directory lists
// under resources (config/samples), as `kubectl apply --server-side -k DIR -n NAMESPACE`
// would for a kustomization that only lists files, without needing kubectl.
func (e *Env) ApplySamples(ctx context.Context, dir, namespace string) ([]string, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		return nil, err
	}
	var k struct {
		Resources []string `json:"resources"`
	}
	if err := yaml.Unmarshal(raw, &k); err != nil {
		return nil, fmt.Errorf("reading %s/kustomization.yaml: %w", dir, err)
	}
	var applied []string
	for _, file := range k.Resources {
		objs, err := testenv.ReadObjects(filepath.Join(dir, file))
		if err != nil {
			return applied, err
		}
		for _, obj := range objs {
			obj.SetNamespace(namespace)
			if err := e.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(obj), client.FieldOwner(fieldManager), client.ForceOwnership); err != nil {
				return applied, fmt.Errorf("applying %s: %w", file, err)
			}
			applied = append(applied, fmt.Sprintf("%s/%s", obj.GetKind(), obj.GetName()))
		}
	}
	return applied, nil
}
