package main

import (
	"archive/tar"
	"bytes"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// The image's fixed parts: the path of the binary, the user it runs as (distroless's nonroot,
// numeric so that runAsNonRoot can verify it) and where Go and most TLS clients look for the
// CA bundle on Linux.
const (
	binaryPath   = "/manager"
	user         = "65532:65532"
	caBundlePath = "/etc/ssl/certs/ca-certificates.crt"
)

// Options say what goes into the image.
type Options struct {
	// Binaries are the static manager binaries, by platform ("linux/amd64").
	Binaries map[string]string
	// Created is the image's creation time: the commit's, so that one commit gives one digest.
	Created time.Time
	// Labels are the OCI labels (org.opencontainers.image.source, revision, version).
	Labels map[string]string
}

// Build makes the image index: one image per platform, each one layer on an empty base holding
// the binary, the CA bundle and the user's passwd and group entries.
func Build(o Options) (v1.ImageIndex, error) {
	caBundle, err := caBundlePEM()
	if err != nil {
		return nil, err
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, platform := range sortedKeys(o.Binaries) {
		p, err := v1.ParsePlatform(platform)
		if err != nil {
			return nil, err
		}
		binary, err := os.ReadFile(o.Binaries[platform])
		if err != nil {
			return nil, err
		}
		img, err := image(*p, binary, caBundle, o)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", platform, err)
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: p}})
	}
	return idx, nil
}

func image(p v1.Platform, binary, caBundle []byte, o Options) (v1.Image, error) {
	files, err := layerTar([]file{
		{path: "etc/", mode: 0o755, dir: true},
		{path: "etc/group", mode: 0o644, data: []byte("root:x:0:\nnonroot:x:65532:\n")},
		{path: "etc/passwd", mode: 0o644, data: []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")},
		{path: "etc/ssl/", mode: 0o755, dir: true},
		{path: "etc/ssl/certs/", mode: 0o755, dir: true},
		{path: caBundlePath[1:], mode: 0o644, data: caBundle},
		{path: "home/", mode: 0o755, dir: true},
		{path: "home/nonroot/", mode: 0o700, dir: true, uid: 65532},
		{path: binaryPath[1:], mode: 0o755, data: binary},
	}, o.Created)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(files)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	if img, err = mutate.AppendLayers(img, layer); err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture, cfg.Variant = p.OS, p.Architecture, p.Variant
	cfg.Created = v1.Time{Time: o.Created}
	cfg.Config.Entrypoint = []string{binaryPath}
	cfg.Config.User = user
	cfg.Config.WorkingDir = "/"
	cfg.Config.Env = []string{"SSL_CERT_FILE=" + caBundlePath}
	cfg.Config.Labels = o.Labels
	return mutate.ConfigFile(img, cfg)
}

// caBundlePEM is the Mozilla root store that golang.org/x/crypto/x509roots/fallback carries,
// as PEM. Roots with constraints PEM cannot state (a distrust date) are left out.
func caBundlePEM() ([]byte, error) {
	var buf bytes.Buffer
	for root := range bundle.Roots() {
		if root.Constraint != nil {
			continue
		}
		if err := pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: root.Certificate}); err != nil {
			return nil, err
		}
	}
	if buf.Len() == 0 {
		return nil, fmt.Errorf("the fallback root store is empty")
	}
	return buf.Bytes(), nil
}

type file struct {
	path string
	mode int64
	data []byte
	dir  bool
	uid  int
}

// layerTar writes the files in the given order, owned by root unless said otherwise, all
// dated created: the same files give the same bytes.
func layerTar(files []file, created time.Time) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.path, Mode: f.mode, ModTime: created, Uid: f.uid, Gid: f.uid, Format: tar.FormatPAX}
		if f.dir {
			h.Typeflag = tar.TypeDir
		} else {
			h.Typeflag = tar.TypeReg
			h.Size = int64(len(f.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
