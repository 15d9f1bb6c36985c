//go:build tools

// Package golangcilint pins the golangci-lint command `make lint` runs, built from the Go module
// proxy into bin/ by the Makefile like helm.
package golangcilint

import _ "github.com/golangci/golangci-lint/v2/cmd/golangci-lint"
