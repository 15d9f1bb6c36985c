// Package bench measures the operator at scale: bulk create and delete of IoTProducts with
// the real kubectl, against the platforms' documented rate limits and the API server's own
// speed; bulk feed deletion against Flipsnack's per-account budget; the manager's memory and
// CPU while it holds many objects; the platform calls it makes at rest; what each deletion
// cost the machine's CPU, process by process, against what its target leaves; and each
// deletion against its release floor, the same deletion let go by a controller that does
// nothing but take its finalizer off (release_test.go).
//
// It runs only when PRODLIFE_BENCH is set (`make bench` sets it, with KUBEBUILDER_ASSETS);
// under `go test ./...` it is skipped at once. Sizes come from environment variables (see
// config in scale_test.go), so a bigger machine can run larger ones. The report is written
// in Markdown to BENCH_REPORT (default bin/bench/report.md).
package bench
