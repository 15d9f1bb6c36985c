// Package envtest is what a team using the product-lifecycle-operator would write to test
// its own manifests in CI, with no cloud account: the tests of
// github.com/prodlife/product-lifecycle-operator/pkg/prodlifetest run the operator and both
// platforms, in parallel, on one API server for the package (TestMain), each test in a
// namespace of its own. It is a module of its own, so it imports the operator as any other
// module does (go.mod's replace points at this repository instead of a released version).
package envtest
