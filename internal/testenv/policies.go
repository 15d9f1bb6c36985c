package testenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// installPolicies creates the admission policies of config/policy (deletion protection), as
// `kubectl apply -k config/policy` would: envtest installs CRDs only, and the tests must meet
// the API server that users meet.
func installPolicies(ctx context.Context, c client.Client) error {
	files, err := filepath.Glob(filepath.Join(RepoRoot(), "config", "policy", "*.yaml"))
	if err != nil {
		return err
	}
	for _, file := range files {
		if filepath.Base(file) == "kustomization.yaml" {
			continue
		}
		if err := createAll(ctx, c, file); err != nil {
			return fmt.Errorf("installing %s: %w", file, err)
		}
	}
	return nil
}

// createAll creates every object of a multi-document YAML file.
func createAll(ctx context.Context, c client.Client, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := utilyaml.NewYAMLOrJSONDecoder(f, 4096)
	for {
		obj := &unstructured.Unstructured{}
		if err := dec.Decode(&obj.Object); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		if len(obj.Object) == 0 {
			continue
		}
		if err := c.Create(ctx, obj); err != nil {
			return fmt.Errorf("%s %s: %w", obj.GetKind(), obj.GetName(), err)
		}
	}
}
