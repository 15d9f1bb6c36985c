//go:build tools

// Package tools pins the kube-apiserver command that envtest runs.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
