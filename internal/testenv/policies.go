package testenv

import (
	"context"
	"fmt"
	"os"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/internal/manifests"
)

// AdmissionIdentities are the identities the admission policies trust (the data of the
// admission-identities ConfigMap of config/policy): the manager's own, and those that may
// restore resources with the operator's annotations.
type AdmissionIdentities struct {
	ManagerUsernames []string
	RestoreUsernames []string
	RestoreGroups    []string
}

// InstallPolicies creates the admission policies of config/policy (embedded in the module), as
// `kubectl apply -k config/policy` would, with the bindings' parameters saying whom they
// trust: envtest installs CRDs only, and tests and the dev environment must meet the API
// server that users meet. The ConfigMap of the folder is replaced by one with trust's
// identities, where the bindings look for it. Everything is applied (server-side), so it may
// run again against the same API server.
func InstallPolicies(ctx context.Context, c client.Client, trust AdmissionIdentities) error {
	objs, err := manifests.Policies()
	if err != nil {
		return err
	}
	params := map[client.ObjectKey]bool{}
	for _, obj := range objs {
		if ref, ok, _ := unstructured.NestedStringMap(obj.Object, "spec", "paramRef"); ok {
			params[client.ObjectKey{Namespace: ref["namespace"], Name: ref["name"]}] = true
		}
		if err := apply(ctx, c, obj, "prodlife-testenv"); err != nil {
			return fmt.Errorf("installing %s %s of config/policy: %w", obj.GetKind(), obj.GetName(), err)
		}
	}
	for key := range params {
		if err := createParams(ctx, c, key, trust); err != nil {
			return err
		}
	}
	return nil
}

// createParams creates the namespace of the ConfigMap a binding takes its parameters from, and
// applies the ConfigMap.
func createParams(ctx context.Context, c client.Client, key client.ObjectKey, trust AdmissionIdentities) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: key.Namespace}}
	if err := c.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating namespace %s for the admission policies' parameters: %w", key.Namespace, err)
	}
	cm := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"namespace": key.Namespace, "name": key.Name},
		"data": map[string]any{
			"managerUsernames": strings.Join(trust.ManagerUsernames, ","),
			"restoreUsernames": strings.Join(trust.RestoreUsernames, ","),
			"restoreGroups":    strings.Join(trust.RestoreGroups, ","),
		},
	}}
	if err := apply(ctx, c, cm, "prodlife-testenv"); err != nil {
		return fmt.Errorf("installing the admission policies' parameters %s: %w", key, err)
	}
	return nil
}

// apply creates obj or makes the existing one match it (server-side apply, as fieldOwner).
func apply(ctx context.Context, c client.Client, obj *unstructured.Unstructured, fieldOwner string) error {
	obj = obj.DeepCopy()
	obj.SetResourceVersion("")
	//nolint:staticcheck // Apply of an unstructured object; no apply configuration needed.
	return c.Patch(ctx, obj, client.Apply, client.FieldOwner(fieldOwner), client.ForceOwnership)
}

// ReadObjects reads every object of a YAML (or JSON) file of one or more documents.
func ReadObjects(path string) ([]*unstructured.Unstructured, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return manifests.Decode(raw, path)
}
