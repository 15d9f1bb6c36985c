//go:build tools

// Package helm pins the helm command the chart tests render and lint with, built from the Go
// module proxy into bin/ by the Makefile like controller-gen.
package helm

import _ "helm.sh/helm/v4/cmd/helm"
