// Package config carries the operator's install manifests into Go programs: the CRDs of
// crd/bases, the admission policies of policy and the manager's identity of rbac, embedded
// in the module, so that a test kit
// (pkg/prodlifetest) installs exactly what `kubectl apply -k` would, with no path into the
// repository. The other folders here are kustomize bases and are not embedded.
package config

import (
	"embed"
	"io/fs"
)

//go:embed crd/bases/*.yaml
var crds embed.FS

//go:embed policy/*.yaml
var policies embed.FS

// The manager's ServiceAccount, ClusterRole and ClusterRoleBinding, as controller-gen and
// the folder write them (kustomize gives them config/default's namespace and name prefix).
//
//go:embed rbac/service_account.yaml rbac/role.yaml rbac/role_binding.yaml
var managerRBAC embed.FS

// CRDs is the folder crd/bases: one CustomResourceDefinition per YAML file.
func CRDs() fs.FS { return mustSub(crds, "crd/bases") }

// Policies is the folder policy: the admission policies, their bindings, the
// admission-identities ConfigMap that parameterizes the credentials Secrets policy, and the
// folder's kustomize files.
func Policies() fs.FS { return mustSub(policies, "policy") }

// ManagerRBAC is the folder rbac with the manager's ServiceAccount, ClusterRole and
// ClusterRoleBinding only.
func ManagerRBAC() fs.FS { return mustSub(managerRBAC, "rbac") }

func mustSub(f embed.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // dir is one of the embedded folders above
	}
	return sub
}
