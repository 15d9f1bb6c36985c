package manifests

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/prodlife/product-lifecycle-operator/config"
)

// ManagerRBAC is the manager's ServiceAccount, ClusterRole and ClusterRoleBinding of
// config/rbac as a kustomization with namespace and namePrefix renders them (config/default
// does with prodlife-system and prodlife-): for a harness that runs the manager as installed
// without the rest of the install, or without kustomize.
func ManagerRBAC(namespace, namePrefix string) ([]*unstructured.Unstructured, error) {
	objs, err := readAll(config.ManagerRBAC())
	if err != nil {
		return nil, err
	}
	for _, obj := range objs {
		obj.SetName(namePrefix + obj.GetName())
		switch obj.GetKind() {
		case "ServiceAccount":
			obj.SetNamespace(namespace)
		case "ClusterRole":
		case "ClusterRoleBinding":
			if err := renameBinding(obj, namespace, namePrefix); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("config/rbac: unexpected %s %s among the manager's identity", obj.GetKind(), obj.GetName())
		}
	}
	return objs, nil
}

// renameBinding points a binding at the renamed role and ServiceAccounts, as kustomize's
// name reference and namespace transformers do.
func renameBinding(obj *unstructured.Unstructured, namespace, namePrefix string) error {
	role, _, _ := unstructured.NestedString(obj.Object, "roleRef", "name")
	if err := unstructured.SetNestedField(obj.Object, namePrefix+role, "roleRef", "name"); err != nil {
		return err
	}
	subjects, _, _ := unstructured.NestedSlice(obj.Object, "subjects")
	for _, s := range subjects {
		if subject, ok := s.(map[string]any); ok && subject["kind"] == "ServiceAccount" {
			subject["name"] = namePrefix + fmt.Sprint(subject["name"])
			subject["namespace"] = namespace
		}
	}
	return unstructured.SetNestedSlice(obj.Object, subjects, "subjects")
}
