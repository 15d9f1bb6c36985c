// Package devenv runs the whole system on one machine, on loopback only and without a cloud
// account: etcd, kube-apiserver and the namespace controller of kube-controller-manager (the
// binaries `make envtest` builds), the project's CRDs, both API simulators, and the manager
// binary pointed at them. `make dev` (hack/dev) and the end-to-end tests (test/e2e) start it
// through the same Start, so what the tests prove is what people run.
//
// Every process it starts goes with it. Each runs in its own process group, so a terminal's
// Ctrl-C reaches only the program that owns the environment, which then stops them in order;
// and each carries Linux's parent-death signal, so they die even when that program is killed
// outright and no cleanup code runs (see testenv.HandleReexec).
package devenv
