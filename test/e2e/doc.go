// Package e2e holds the end-to-end tests: the manager binary, built from this tree, runs in
// the same environment as `make dev` (internal/devenv: etcd, kube-apiserver, the namespace
// controller, both API simulators) on free loopback ports, and the tests drive it with the
// machine's real kubectl, checking after each command what exists on the simulated
// platforms through their inspection APIs (/_sim/state, /_sim/calls).
package e2e
