# Build the manager as a static binary, then ship it alone on a distroless, non-root base.
# The builder's Go is the go.mod's (hack/verify checks that they agree).
FROM golang:1.26 AS builder
# Set by BuildKit from --platform; a plain build makes a linux image for the builder's arch.
ARG TARGETOS
ARG TARGETARCH
WORKDIR /workspace
# Modules first, so that a source change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY main.go memlimit.go ./
COPY api/ api/
COPY controllers/ controllers/
COPY internal/ internal/
# CGO_ENABLED=0: a static binary, which the distroless static base (no libc) can run.
RUN CGO_ENABLED=0 GOOS=${TARGETOS:-linux} GOARCH=${TARGETARCH} go build -trimpath -ldflags="-s -w" -o manager .

FROM gcr.io/distroless/static:nonroot
WORKDIR /
COPY --from=builder /workspace/manager .
# The numeric user of distroless's nonroot, so that runAsNonRoot can verify it.
USER 65532:65532
ENTRYPOINT ["/manager"]
