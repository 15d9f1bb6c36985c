//go:build tools

// Package prometheus pins the promtool command the alerting rules' tests run
// (`promtool check rules`, `promtool test rules`), built from the Go module proxy into bin/ by
// the Makefile like helm.
package prometheus

import _ "github.com/prometheus/prometheus/cmd/promtool"
