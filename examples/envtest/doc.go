// Package envtest is what a team using the product-lifecycle-operator would write to test
// its own manifests in CI, with no cloud account: an envtest API server of its own, and
// github.com/prodlife/product-lifecycle-operator/pkg/prodlifetest for the operator and both
// platforms. It is a module of its own, so it imports the operator as any other module does
// (go.mod's replace points at this repository instead of a released version).
package envtest
