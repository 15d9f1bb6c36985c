// Package config carries the operator's install manifests into Go programs: the CRDs of
// crd/bases and the admission policies of policy, embedded in the module, so that a test kit
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

// CRDs is the folder crd/bases: one CustomResourceDefinition per YAML file.
func CRDs() fs.FS { return mustSub(crds, "crd/bases") }

// Policies is the folder policy: the admission policies, their bindings, the
// admission-identities ConfigMap that parameterizes them, and the folder's kustomize files.
func Policies() fs.FS { return mustSub(policies, "policy") }

func mustSub(f embed.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // dir is one of the embedded folders above
	}
	return sub
}
