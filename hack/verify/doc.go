// Package verify holds repository-wide checks that are tests, not code: that the committed
// generated files (CRDs, RBAC, deepcopy) are what `make manifests generate` writes today.
package verify
