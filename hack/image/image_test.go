package main

import (
	"archive/tar"
	"bytes"
	"crypto/x509"
	"debug/elf"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

var created = time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)

// fakeBinaries writes two small files to stand for the manager of each platform.
func fakeBinaries(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	bins := map[string]string{}
	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		path := filepath.Join(dir, strings.ReplaceAll(p, "/", "-"))
		if err := os.WriteFile(path, []byte("manager for "+p), 0o755); err != nil {
			t.Fatal(err)
		}
		bins[p] = path
	}
	return bins
}

// The same binaries and creation time give the same index digest and the same archive,
// byte for byte; another creation time gives another digest.
func TestTheSameInputsGiveTheSameImage(t *testing.T) {
	bins := fakeBinaries(t)
	ref, err := name.NewTag("product-lifecycle-operator:dev")
	if err != nil {
		t.Fatal(err)
	}
	build := func(when time.Time) (v1.Hash, []byte) {
		idx, err := Build(Options{Binaries: bins, Created: when, Labels: map[string]string{"org.opencontainers.image.revision": "abc"}})
		if err != nil {
			t.Fatal(err)
		}
		digest, err := idx.Digest()
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), "image.tar")
		if err := WriteArchive(idx, ref, out, when); err != nil {
			t.Fatal(err)
		}
		archive, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return digest, archive
	}
	d1, a1 := build(created)
	d2, a2 := build(created)
	if d1 != d2 || !bytes.Equal(a1, a2) {
		t.Errorf("two builds of the same inputs: digests %s and %s, archives equal: %t", d1, d2, bytes.Equal(a1, a2))
	}
	if d3, _ := build(created.Add(time.Second)); d3 == d1 {
		t.Errorf("another creation time gave the same digest %s", d3)
	}
}

// The archive is an OCI image layout that names the image, with one valid image per platform:
// the static binary as entrypoint, run as the non-root user, with a CA bundle Go can read.
// `make test` points IMAGE_ARCHIVE at what `make image` wrote; without it, the test checks an
// archive of stand-in binaries.
func TestTheArchiveHoldsARunnableNonRootImagePerPlatform(t *testing.T) {
	archive, real := os.Getenv("IMAGE_ARCHIVE"), true
	if archive == "" {
		real = false
		archive = filepath.Join(t.TempDir(), "image.tar")
		idx, err := Build(Options{Binaries: fakeBinaries(t), Created: created})
		if err != nil {
			t.Fatal(err)
		}
		ref, _ := name.NewTag("product-lifecycle-operator:dev")
		if err := WriteArchive(idx, ref, archive, created); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	unpack(t, archive, dir)
	top, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatalf("%s is not an OCI image layout: %v", archive, err)
	}
	topManifest, err := top.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(topManifest.Manifests) != 1 {
		t.Fatalf("index.json lists %d manifests, want the one image index", len(topManifest.Manifests))
	}
	named := topManifest.Manifests[0]
	if named.Annotations["org.opencontainers.image.ref.name"] == "" || !strings.HasPrefix(named.Annotations["io.containerd.image.name"], "docker.io/") {
		t.Errorf("the image is not named for podman/skopeo and docker load: %v", named.Annotations)
	}
	idx, err := top.ImageIndex(named.Digest)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Index(idx); err != nil {
		t.Fatalf("the image index does not hold together: %v", err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var platforms []string
	for _, desc := range im.Manifests {
		platforms = append(platforms, desc.Platform.String())
		img, err := idx.Image(desc.Digest)
		if err != nil {
			t.Fatal(err)
		}
		checkImage(t, img, *desc.Platform, real)
	}
	if !slices.Equal(platforms, []string{"linux/amd64", "linux/arm64"}) {
		t.Errorf("platforms %v, want linux/amd64 and linux/arm64", platforms)
	}
}

func checkImage(t *testing.T, img v1.Image, p v1.Platform, real bool) {
	t.Helper()
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OS != p.OS || cfg.Architecture != p.Architecture {
		t.Errorf("%s: the config says %s/%s", p, cfg.OS, cfg.Architecture)
	}
	if cfg.Config.User != "65532:65532" || !slices.Equal(cfg.Config.Entrypoint, []string{"/manager"}) {
		t.Errorf("%s: user %q, entrypoint %q; want 65532:65532 and /manager", p, cfg.Config.User, cfg.Config.Entrypoint)
	}
	if real {
		for _, label := range []string{"org.opencontainers.image.source", "org.opencontainers.image.revision", "org.opencontainers.image.version"} {
			if cfg.Config.Labels[label] == "" {
				t.Errorf("%s: no label %s", p, label)
			}
		}
	}
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("%s: %d layers (%v), want one on an empty base", p, len(layers), err)
	}
	files := layerFiles(t, layers[0])
	roots := x509.NewCertPool()
	if pemData := files["etc/ssl/certs/ca-certificates.crt"]; !roots.AppendCertsFromPEM(pemData) || strings.Count(string(pemData), "BEGIN CERTIFICATE") < 100 {
		t.Errorf("%s: no CA bundle of at least 100 roots at /etc/ssl/certs/ca-certificates.crt", p)
	}
	if !strings.Contains(string(files["etc/passwd"]), "nonroot:x:65532:65532:") {
		t.Errorf("%s: /etc/passwd has no user 65532", p)
	}
	if real {
		checkStatic(t, files["manager"], p)
	}
}

// checkStatic: the binary is an ELF of the platform's machine with no interpreter and no
// shared library, so it runs on an empty base.
func checkStatic(t *testing.T, binary []byte, p v1.Platform) {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(binary))
	if err != nil {
		t.Fatalf("%s: /manager is not an ELF binary: %v", p, err)
	}
	want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[p.Architecture]
	if f.Machine != want {
		t.Errorf("%s: /manager is built for %s", p, f.Machine)
	}
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			t.Errorf("%s: /manager asks for a dynamic loader: it is not static", p)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("%s: /manager needs shared libraries %v", p, libs)
	}
}

func layerFiles(t *testing.T, layer v1.Layer) map[string][]byte {
	t.Helper()
	rc, err := layer.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	files := map[string][]byte{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			files[h.Name] = data
		}
	}
}

func unpack(t *testing.T, archive, dir string) {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(path, dir+string(filepath.Separator)) {
			t.Fatalf("the archive's entry %q leaves its folder", h.Name)
		}
		if h.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(path, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
