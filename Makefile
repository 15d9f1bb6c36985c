# product-lifecycle-operator. `make help` lists the targets.
#
# Everything the tests need beyond Go, gcc, git and kubectl is built here from the Go module
# proxy and cached under bin/: controller-gen, helm, promtool, and the etcd and kube-apiserver
# that envtest runs (no web download, so it works on machines that reach only the module proxy).

SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec
GOOS   ?= $(shell go env GOOS)
GOARCH ?= $(shell go env GOARCH)

LOCALBIN ?= $(CURDIR)/bin
IMG ?= product-lifecycle-operator:dev

# Tool and envtest versions come from the pinned modules under hack/, so a version bump is
# one go.mod edit and lands in a new folder under bin/ (the old build is never reused).
CONTROLLER_TOOLS_VERSION := $(shell awk '$$1=="require" && $$2=="sigs.k8s.io/controller-tools" {print $$3}' hack/tools/go.mod)
HELM_VERSION             := $(shell awk '$$1=="require" && $$2 ~ /^helm\.sh\/helm\// {print $$3}' hack/helm/go.mod)
GOLANGCI_LINT_VERSION    := $(shell awk '$$1=="require" && $$2=="github.com/golangci/golangci-lint/v2" {print $$3}' hack/golangci-lint/go.mod)
PROMETHEUS_VERSION       := $(shell awk '$$1=="require" && $$2=="github.com/prometheus/prometheus" {print $$3}' hack/prometheus/go.mod)
ENVTEST_K8S_VERSION      := $(shell awk '$$1=="require" && $$2=="k8s.io/kubernetes" {print substr($$3,2)}' hack/envtest/kube-apiserver/go.mod)
ETCD_VERSION             := $(shell awk '$$1=="require" && $$2=="go.etcd.io/etcd/server/v3" {print substr($$3,2)}' hack/envtest/etcd/go.mod)

CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen-$(CONTROLLER_TOOLS_VERSION)
HELM           ?= $(LOCALBIN)/helm-$(HELM_VERSION)
PROMTOOL       ?= $(LOCALBIN)/promtool-$(PROMETHEUS_VERSION)
GOLANGCI_LINT  ?= $(LOCALBIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)
ENVTEST_ASSETS ?= $(LOCALBIN)/k8s/$(ENVTEST_K8S_VERSION)-etcd$(ETCD_VERSION)-$(GOOS)-$(GOARCH)

GO_TEST_FLAGS ?= -timeout 45m
BENCH_FLAGS   ?= -run '^$$' -bench . -benchtime 2s

.PHONY: all
all: build

##@ General

.PHONY: help
help: ## Show the targets.
	@awk 'BEGIN {FS = ":.*##"; printf "\nUsage:\n  make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-20s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
# The lists of kinds (hack/kinds) compile the API types, so their deepcopy code comes first.
manifests: $(CONTROLLER_GEN) generate ## Write the CRDs and RBAC from the kubebuilder markers, the lists of kinds in config/, and the chart's copies.
	$(CONTROLLER_GEN) rbac:roleName=manager-role crd:allowDangerousTypes=false paths="./api/...;./controllers/..." \
		output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac
	go run ./hack/kinds

.PHONY: generate
generate: $(CONTROLLER_GEN) ## Write the deepcopy code of the API types.
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./api/..."

.PHONY: fmt
fmt: ## Format the Go code.
	gofmt -w $$(git ls-files '*.go')

.PHONY: vet
vet: ## Run go vet.
	go vet ./...

# golangci-lint with .golangci.yml (every exclusion there says why), over the three modules:
# the operator's, examples/envtest and hack/prometheus (together about 30 seconds warm).
.PHONY: lint
lint: $(GOLANGCI_LINT) ## Run golangci-lint (and its gofmt/goimports checks).
	$(GOLANGCI_LINT) run ./...
	cd examples/envtest && $(GOLANGCI_LINT) run --config ../../.golangci.yml ./...
	cd hack/prometheus && $(GOLANGCI_LINT) run --config ../../.golangci.yml ./...
	cd hack/image && $(GOLANGCI_LINT) run --config ../../.golangci.yml ./...

# hack/prometheus is a module of its own (the PromQL parser would pull the Prometheus server's
# dependencies into the manager's): its tests check the dashboard's and the alerts' queries.
# examples/envtest is a module of its own too, as a user's suite is: it imports
# pkg/prodlifetest from outside the operator's module, so the test kit cannot rot.
# The fast tier: every test that needs no API server, no envtest binary and no tool of bin/
# (the platform clients against in-process simulators, the metrics, the engine on a fake client,
# the pure functions of the adapters). In controllers/, -short makes TestMain start nothing and
# the tests that need the API server skip (as does the flipsnack client's minute-long budget
# test): that is fine only because `make test` runs every one of them without -short.
UNIT_PKGS ?= ./controllers/... ./internal/alibaba/... ./internal/apierr/... ./internal/egress/... ./internal/flipsnack/... \
	./internal/metrics/... ./pkg/simulator/...
UNIT_FLAGS ?= -short -timeout 5m

.PHONY: unit
unit: ## Run the fast tier (no API server, no tool to build; well under a minute).
	go test $(UNIT_FLAGS) $(UNIT_PKGS)

# The race detector runs over the unit tier (the platform clients with their rate budgets, the
# simulators) and over the whole controllers suite, envtest included (the engine and both
# adapters against a real API server, several workers at once); every other package then runs
# without it, controllers/ not a second time. RACE_FLAGS= turns the race pass off (controllers/
# then runs with the rest).
RACE_FLAGS ?= -race

.PHONY: test
test: envtest $(HELM) $(PROMTOOL) lint image ## Run every test: lint, unit, envtest (real kube-apiserver and etcd), end-to-end.
	@bad=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^hack/tools/')); if [ -n "$$bad" ]; then echo "gofmt would change: $$bad"; exit 1; fi
	go vet ./...
	$(if $(RACE_FLAGS),go test $(RACE_FLAGS) $(UNIT_FLAGS) $(filter-out ./controllers/...,$(UNIT_PKGS)))
	$(if $(RACE_FLAGS),KUBEBUILDER_ASSETS="$(ENVTEST_ASSETS)" go test $(RACE_FLAGS) $(GO_TEST_FLAGS) ./controllers/...)
	KUBEBUILDER_ASSETS="$(ENVTEST_ASSETS)" LOCALBIN="$(LOCALBIN)" HELM="$(HELM)" PROMTOOL="$(PROMTOOL)" IMAGE_ARCHIVE="$(IMAGE_ARCHIVE)" go test $(GO_TEST_FLAGS) \
		$(if $(RACE_FLAGS),$$(go list ./... | grep -v '/controllers\(/\|$$\)'),./...)
	cd hack/prometheus && go test $(GO_TEST_FLAGS) ./...
	cd hack/image && IMAGE_ARCHIVE="$(IMAGE_ARCHIVE)" go test $(GO_TEST_FLAGS) ./...
	cd examples/envtest && go vet ./... && KUBEBUILDER_ASSETS="$(ENVTEST_ASSETS)" go test $(GO_TEST_FLAGS) ./...

# The live check: the installed operator (test/install, the image's manager as its
# ServiceAccount) creates, updates, reads back and deletes one IoT product and one small feed
# on the real platforms, with credentials from the environment (ALIBABA_CLOUD_ACCESS_KEY_ID
# and ALIBABA_CLOUD_ACCESS_KEY_SECRET; FLIPSNACK_API_KEY and FLIPSNACK_API_SECRET; optional
# PRODLIFE_LIVE_REGION, PRODLIFE_LIVE_IOT_INSTANCE_ID and the endpoints, test/install/live_test.go).
# A platform without credentials is skipped, saying so. `make test` runs the same test against
# the simulators.
.PHONY: test-live
test-live: envtest image ## Check the operator against the real platforms (credentials from the environment; skipped without them).
	PRODLIFE_LIVE=real KUBEBUILDER_ASSETS="$(ENVTEST_ASSETS)" IMAGE_ARCHIVE="$(IMAGE_ARCHIVE)" \
		go test -count=1 -v -timeout 20m -run '^TestLive' ./test/install/

# The scale benchmark (test/bench) runs the environment of `make dev` with thousands of
# objects; sizes are BENCH_* variables (test/bench/env_test.go), e.g.
# `make bench BENCH_IOT_SIZES=1000 BENCH_HOLD_SIZES=1000,2000`. Its report is machine-specific
# and goes to bin/ (not committed), with the manager's heap and CPU profiles beside it;
# test/bench/RESULTS.md keeps a reference run.
BENCH_REPORT  ?= $(LOCALBIN)/bench/report.md
BENCH_TIMEOUT ?= 3h
# The fault suite's recovery figures against their goals, at the issue's sizes.
FAULTS_REPORT ?= $(LOCALBIN)/bench/faults.md

.PHONY: bench
bench: envtest ## Run the Go micro-benchmarks, the fault suite at the issue's sizes, then the scale benchmark (reports in bin/bench/faults.md and report.md; about an hour on 2 idle cores).
	KUBEBUILDER_ASSETS="$(ENVTEST_ASSETS)" go test $(BENCH_FLAGS) ./...
	mkdir -p $(dir $(FAULTS_REPORT)) && rm -f $(FAULTS_REPORT)
	KUBEBUILDER_ASSETS="$(ENVTEST_ASSETS)" FAULT_SUITE_SCALE=full FAULT_SUITE_REPORT="$(FAULTS_REPORT)" go test -timeout 60m -count=1 -v -run '^TestFaults$$' ./test/faults
	$(MAKE) bench-scale
	@echo "reports: $(FAULTS_REPORT) $(BENCH_REPORT)"

.PHONY: bench-scale
bench-scale: envtest ## Run the scale benchmark alone (BENCH_MANAGER_BINARY=path measures another build of the manager).
	PRODLIFE_BENCH=1 BENCH_REPORT="$(BENCH_REPORT)" KUBEBUILDER_ASSETS="$(ENVTEST_ASSETS)" \
		go test -count=1 -timeout $(BENCH_TIMEOUT) -run '^TestScale$$' -v ./test/bench

# Before and after on the same machine: the manager of BENCH_BASELINE (a commit) built in a
# worktree of its own, measured by this tree's harness, then this tree's manager, each with
# its own report (bin/bench/report-<commit>.md and bin/bench/report.md).
BENCH_BASELINE ?=

.PHONY: bench-compare
bench-compare: envtest ## Run the scale benchmark for BENCH_BASELINE=<commit>'s manager, then for this tree's.
	@test -n "$(BENCH_BASELINE)" || { echo "set BENCH_BASELINE to the commit to compare with"; exit 1; }
	rm -rf $(LOCALBIN)/bench/baseline && git worktree add --detach $(LOCALBIN)/bench/baseline $(BENCH_BASELINE)
	cd $(LOCALBIN)/bench/baseline && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o $(LOCALBIN)/bench/manager-$(BENCH_BASELINE) .
	git worktree remove --force $(LOCALBIN)/bench/baseline
	$(MAKE) bench-scale BENCH_MANAGER_BINARY=$(LOCALBIN)/bench/manager-$(BENCH_BASELINE) BENCH_REPORT=$(LOCALBIN)/bench/report-$(BENCH_BASELINE).md
	$(MAKE) bench-scale

##@ Build

# The manager is a static binary (CGO_ENABLED=0) without the build machine's paths
# (-trimpath): the one that `make build` runs and `make image` ships.
GO_BUILD_FLAGS := -trimpath -ldflags="-s -w"

.PHONY: build
build: ## Build the manager and the kubectl plugin (kubectl-prodlife) into bin/.
	CGO_ENABLED=0 go build $(GO_BUILD_FLAGS) -o $(LOCALBIN)/manager .
	CGO_ENABLED=0 go build $(GO_BUILD_FLAGS) -o $(LOCALBIN)/kubectl-prodlife ./cmd/kubectl-prodlife

# The image: an OCI image index for these platforms, built by hack/image with no container
# engine on an empty base (the binary, a CA bundle, the non-root user 65532), written as an
# OCI archive that `docker load`, `podman load` and `skopeo copy oci-archive:` read. Its
# creation time is the commit's, so one commit gives one digest. IMG names it.
IMAGE_PLATFORMS ?= linux/amd64 linux/arm64
IMAGE_ARCHIVE   ?= $(LOCALBIN)/image/product-lifecycle-operator.tar
IMAGE_SOURCE    ?= https://github.com/prodlife/product-lifecycle-operator
VERSION         ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
IMAGE_ARGS = --name $(IMG) --created "$$(git log -1 --format=%cI 2>/dev/null || echo 1970-01-01T00:00:00Z)" 	$(foreach p,$(IMAGE_PLATFORMS),--binary $(p)=$(LOCALBIN)/image/manager-$(subst /,-,$(p))) 	--label org.opencontainers.image.source=$(IMAGE_SOURCE) 	--label org.opencontainers.image.revision=$$(git rev-parse HEAD 2>/dev/null || echo unknown) 	--label org.opencontainers.image.version=$(VERSION)

.PHONY: image-binaries
image-binaries:
	$(foreach p,$(IMAGE_PLATFORMS),CGO_ENABLED=0 GOOS=$(word 1,$(subst /, ,$(p))) GOARCH=$(word 2,$(subst /, ,$(p))) \
		go build $(GO_BUILD_FLAGS) -o $(LOCALBIN)/image/manager-$(subst /,-,$(p)) . &&) true

.PHONY: image
image: image-binaries ## Build the operator's image with no container engine: an OCI archive under bin/image/ (IMG names it).
	cd hack/image && go run . --out $(IMAGE_ARCHIVE) $(IMAGE_ARGS)

.PHONY: image-push
image-push: image-binaries ## Push the operator's image to the registry IMG names (credentials from the Docker config).
	cd hack/image && go run . --push $(IMAGE_ARGS)

.PHONY: simulator
simulator: ## Build the API simulators' command into bin/simulator.
	go build -o $(LOCALBIN)/simulator ./hack/simulator

.PHONY: run
run: ## Run the manager against the current kubeconfig.
	go run . $(ARGS)

# `make dev` listens on 127.0.0.1 only, on these ports (e.g. `make dev DEV_APISERVER_PORT=28443`).
DEV_APISERVER_PORT ?= 18443
DEV_ALIBABA_PORT   ?= 18080
DEV_FLIPSNACK_PORT ?= 18081
DEV_METRICS_PORT   ?= 18082
DEV_PROBE_PORT     ?= 18083
# More manager flags for `make dev`, e.g. DEV_MANAGER_ARGS='--sync-period=1m'.
DEV_MANAGER_ARGS   ?=
# The manager runs as its ServiceAccount with the RBAC and policies config/default installs;
# false runs it as a cluster admin.
DEV_AS_INSTALLED   ?= true

.PHONY: dev
dev: envtest build ## Run everything locally: control plane, API simulators, operator, samples (kubeconfig bin/dev/kubeconfig; Ctrl-C stops all).
	go build -o $(LOCALBIN)/dev-env ./hack/dev
	exec $(LOCALBIN)/dev-env --state-dir $(LOCALBIN)/dev --assets "$(ENVTEST_ASSETS)" --manager $(LOCALBIN)/manager \
		--apiserver-addr 127.0.0.1:$(DEV_APISERVER_PORT) --alibaba-addr 127.0.0.1:$(DEV_ALIBABA_PORT) \
		--flipsnack-addr 127.0.0.1:$(DEV_FLIPSNACK_PORT) --metrics-addr 127.0.0.1:$(DEV_METRICS_PORT) \
		--probe-addr 127.0.0.1:$(DEV_PROBE_PORT) --as-installed=$(DEV_AS_INSTALLED) -- $(DEV_MANAGER_ARGS)

.PHONY: docker-build
docker-build: ## Build the container image (needs a Docker engine).
	docker build -t $(IMG) .

##@ Deployment

.PHONY: install
install: manifests ## Install the CRDs into the cluster of the current kubeconfig.
	kubectl apply --server-side -k config/crd

.PHONY: uninstall
uninstall: ## Remove the CRDs and every resource; the running operator leaves their products on the platforms (docs/install.md, "Uninstall").
	kubectl delete --ignore-not-found -k config/crd

.PHONY: deploy
deploy: manifests ## Install the operator (config/default) into the current cluster.
	kubectl apply --server-side -k config/default

.PHONY: undeploy
undeploy: ## Remove the operator installed by deploy.
	kubectl delete --ignore-not-found -k config/default

##@ Tools and envtest binaries (built once, cached under bin/)

$(CONTROLLER_GEN): hack/tools/go.mod hack/tools/go.sum
	@mkdir -p $(LOCALBIN)
	cd hack/tools && go build -o $@.tmp sigs.k8s.io/controller-tools/cmd/controller-gen && mv $@.tmp $@

.PHONY: controller-gen
controller-gen: $(CONTROLLER_GEN) ## Build controller-gen.

# helm renders and lints the chart in the tests (about 6 minutes to build cold).
$(HELM): hack/helm/go.mod hack/helm/go.sum
	@mkdir -p $(LOCALBIN)
	cd hack/helm && go build -o $@.tmp helm.sh/helm/v4/cmd/helm && mv $@.tmp $@

.PHONY: helm
helm: $(HELM) ## Build helm (the chart's tests use it).

# promtool checks and unit-tests the alerting rules (about 7 minutes to build cold on 2 cores).
$(PROMTOOL): hack/prometheus/go.mod hack/prometheus/go.sum
	@mkdir -p $(LOCALBIN)
	cd hack/prometheus && go build -o $@.tmp github.com/prometheus/prometheus/cmd/promtool && mv $@.tmp $@

.PHONY: promtool
promtool: $(PROMTOOL) ## Build promtool (the alerting rules' tests use it).

# golangci-lint runs in `make lint` (about 2 minutes to build cold on 2 cores).
$(GOLANGCI_LINT): hack/golangci-lint/go.mod hack/golangci-lint/go.sum
	@mkdir -p $(LOCALBIN)
	cd hack/golangci-lint && go build -o $@.tmp github.com/golangci/golangci-lint/v2/cmd/golangci-lint && mv $@.tmp $@

.PHONY: golangci-lint
golangci-lint: $(GOLANGCI_LINT) ## Build golangci-lint (make lint uses it).

.PHONY: envtest
envtest: $(ENVTEST_ASSETS)/kube-apiserver $(ENVTEST_ASSETS)/kube-controller-manager $(ENVTEST_ASSETS)/etcd $(ENVTEST_ASSETS)/kubectl ## Build etcd, kube-apiserver and kube-controller-manager (about 15 minutes the first time).
	@echo "envtest binaries: $(ENVTEST_ASSETS)"

# Built to a temporary name and moved into place, so an interrupted build is never taken
# for a finished one.
$(ENVTEST_ASSETS)/kube-apiserver: hack/envtest/kube-apiserver/go.mod hack/envtest/kube-apiserver/go.sum
	@mkdir -p $(ENVTEST_ASSETS)
	@echo "building kube-apiserver v$(ENVTEST_K8S_VERSION) from the module proxy (about 12 minutes cold)"
	cd hack/envtest/kube-apiserver && go build -o $@.tmp k8s.io/kubernetes/cmd/kube-apiserver && mv $@.tmp $@

# Its namespace controller makes `kubectl delete namespace` behave as on a real cluster.
$(ENVTEST_ASSETS)/kube-controller-manager: hack/envtest/kube-apiserver/go.mod hack/envtest/kube-apiserver/go.sum
	@mkdir -p $(ENVTEST_ASSETS)
	cd hack/envtest/kube-apiserver && go build -o $@.tmp k8s.io/kubernetes/cmd/kube-controller-manager && mv $@.tmp $@

$(ENVTEST_ASSETS)/etcd: hack/envtest/etcd/go.mod hack/envtest/etcd/go.sum
	@mkdir -p $(ENVTEST_ASSETS)
	cd hack/envtest/etcd && go build -o $@.tmp go.etcd.io/etcd/server/v3 && mv $@.tmp $@

# envtest uses kubectl only for a few helpers; the machine's own is enough.
$(ENVTEST_ASSETS)/kubectl:
	@mkdir -p $(ENVTEST_ASSETS)
	ln -sf "$$(command -v kubectl)" $@
