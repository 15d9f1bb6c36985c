// Package faults is the fault-injection suite: the manager binary, built from this tree, runs
// in the environment of `make dev` (internal/devenv) while both simulators fail a share of
// the calls (retryable errors, dropped connections, answers that arrive after the client's
// timeout) and the manager itself is killed with SIGKILL at random moments. After each
// scenario it checks what only the platforms can tell: nothing left behind, nothing created
// twice, every deletion reported. Then it scans everything a user or a log collector sees for
// the credentials' secrets and the requests' signatures.
//
// Scenarios, in this order on one environment (TestFaults):
//   - CrashesDuringCreateAndDelete: many IoTProducts and FlipsnackFeeds created and then
//     deleted (one namespace deleted whole), the manager killed and restarted during both.
//   - LeaderKilledMidDeletion: two managers sharing a leader election Lease; the leader is
//     killed while a batch is being deleted, and the standby finishes it.
//   - PlatformsDownControlPlaneRestarted: two managers share the Lease and are started again
//     when they exit, as a Deployment's are; while a batch is being deleted both platforms
//     drop every connection (15 s at ci, 60 s at full) and, within that, etcd and
//     kube-apiserver are killed with SIGKILL and started again on the same data, and then
//     the leader is killed, so the other must take over; once the platforms are back
//     everything must be gone, nothing deleted twice, and how long that took is reported
//     against 2 × N / 500 s plus the largest backoff (N: 5,000 IoTProducts; the 100,000
//     SKUs of 100 feeds), for the products also from the moment the API server had marked
//     the last of them (the bulk delete the restart cut is sent again, and marks them one by
//     one), which is the operator's own part.
//   - NothingSecretIsShown: the scan.
//
// Size: FAULT_SUITE_SCALE=ci (the default, for `make test` on a two-core CI machine) or full
// (the sizes, for `make bench`). Randomness: every choice (objects, faults, kill
// moments) comes from one seed, printed at the start; FAULT_SUITE_SEED=N replays a run's
// choices (the timing of a run cannot be replayed, so the same seed narrows a failure down
// rather than reproducing it exactly).
package faults
