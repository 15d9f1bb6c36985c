// Package devenvtest holds what the suites that run the whole system (test/e2e, test/faults)
// share: building the manager from this tree, starting the environment of internal/devenv on
// free loopback ports, and reading the simulators' inspection APIs (/_sim/state, /_sim/calls,
// /_sim/faults) as a person would with curl.
package devenvtest
