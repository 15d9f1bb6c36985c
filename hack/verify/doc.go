// Package verify holds repository-wide checks that are tests, not code: that the committed
// generated files (CRDs, RBAC, deepcopy) are what `make manifests generate` writes today and
// that the Helm chart carries the same copies; that config/default and the Helm chart render a
// hardened, least-privilege install (rendered with the real kubectl kustomize and the pinned
// helm); that the Argo CD health checks cover both kinds; and that the Dockerfile and
// .dockerignore build a small, static, non-root image.
package verify
