//go:build tools

// Package tools pins the commands of the local control plane: the kube-apiserver that
// envtest runs, and the kube-controller-manager whose namespace controller the tests and
// `make dev` run beside it, so deleting a namespace behaves as on a real cluster.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
)
