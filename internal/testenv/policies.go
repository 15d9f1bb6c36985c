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

// AdmissionIdentities are the identities the admission policies trust: the manager's own,
// and those that may restore resources with the operator's annotations. The identity
// annotations policy asks RBAC (`write` and `restore` on prodlife.dev identities, granted
// cluster-wide); the credentials Secrets policy reads the manager's username from the
// admission-identities ConfigMap.
type AdmissionIdentities struct {
	ManagerUsernames []string
	RestoreUsernames []string
	RestoreGroups    []string
}

// InstallPolicies creates the admission policies of config/policy (embedded in the module), as
// `kubectl apply -k config/policy` would, trusting trust's identities: envtest installs CRDs
// only, and tests and the dev environment must meet the API server that users meet. The
// ConfigMap of the folder is replaced by one with trust's manager, where the bindings look for
// it, and trust's identities are granted what the identity annotations policy asks RBAC for.
// Everything is applied (server-side), so it may run again against the same API server.
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
	if err := grantIdentities(ctx, c, "write", trust.ManagerUsernames, nil); err != nil {
		return err
	}
	return grantIdentities(ctx, c, "restore", trust.RestoreUsernames, trust.RestoreGroups)
}

// grantIdentities grants verb on prodlife.dev identities to users and groups, cluster-wide,
// as an administrator's ClusterRoleBinding would.
func grantIdentities(ctx context.Context, c client.Client, verb string, users, groups []string) error {
	if len(users)+len(groups) == 0 {
		return nil
	}
	name := "prodlife-testenv-identities-" + verb
	role := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
		"metadata": map[string]any{"name": name},
		"rules":    []any{map[string]any{"apiGroups": []any{"prodlife.dev"}, "resources": []any{"identities"}, "verbs": []any{verb}}},
	}}
	var subjects []any
	for _, u := range users {
		if sa, ok := strings.CutPrefix(u, "system:serviceaccount:"); ok {
			if ns, name, ok := strings.Cut(sa, ":"); ok {
				subjects = append(subjects, map[string]any{"kind": "ServiceAccount", "namespace": ns, "name": name})
				continue
			}
		}
		subjects = append(subjects, map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": u})
	}
	for _, g := range groups {
		subjects = append(subjects, map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": g})
	}
	binding := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
		"metadata": map[string]any{"name": name},
		"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name},
		"subjects": subjects,
	}}
	for _, obj := range []*unstructured.Unstructured{role, binding} {
		if err := apply(ctx, c, obj, "prodlife-testenv"); err != nil {
			return fmt.Errorf("granting %s on prodlife.dev identities: %w", verb, err)
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
		"data":     map[string]any{"managerUsernames": strings.Join(trust.ManagerUsernames, ",")},
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
