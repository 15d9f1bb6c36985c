package main

import (
	"fmt"
	"io"

	"sigs.k8s.io/yaml"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// writeYAML writes obj as one document of a YAML stream, without the empty status and
// creationTimestamp that a typed object would otherwise carry into `kubectl apply`.
func writeYAML(out io.Writer, obj any) error {
	b, err := yaml.Marshal(obj)
	if err != nil {
		return err
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return err
	}
	delete(doc, "status")
	if meta, ok := doc["metadata"].(map[string]any); ok {
		delete(meta, "creationTimestamp")
	}
	if b, err = yaml.Marshal(doc); err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "---\n%s", b)
	return err
}

// deletionPolicy checks --deletion-policy.
func deletionPolicy(value string) (v1alpha1.DeletionPolicy, error) {
	switch p := v1alpha1.DeletionPolicy(value); p {
	case v1alpha1.DeletionPolicyOrphan, v1alpha1.DeletionPolicyDelete:
		return p, nil
	}
	return "", fmt.Errorf("--deletion-policy %q: want Orphan or Delete", value)
}
