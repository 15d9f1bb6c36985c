package install_test

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// fileOfImage reads one file of the image for platform out of an OCI archive (`make image`):
// index.json names the image index, which names each platform's manifest, whose one layer
// holds the file. Reading the layout takes only its JSON; writing it is hack/image's.
func fileOfImage(archive, platform, file string) ([]byte, error) {
	blobs, err := readTar(archive)
	if err != nil {
		return nil, err
	}
	type descriptor struct {
		Digest   string `json:"digest"`
		Platform *struct {
			OS           string `json:"os"`
			Architecture string `json:"architecture"`
		} `json:"platform"`
	}
	var top, index struct{ Manifests []descriptor }
	var manifest struct{ Layers []descriptor }
	blob := func(d descriptor) []byte { return blobs["blobs/"+strings.Replace(d.Digest, ":", "/", 1)] }
	if err := json.Unmarshal(blobs["index.json"], &top); err != nil || len(top.Manifests) != 1 {
		return nil, fmt.Errorf("index.json names no one image index (%v)", err)
	}
	if err := json.Unmarshal(blob(top.Manifests[0]), &index); err != nil {
		return nil, err
	}
	for _, m := range index.Manifests {
		if m.Platform == nil || m.Platform.OS+"/"+m.Platform.Architecture != platform {
			continue
		}
		if err := json.Unmarshal(blob(m), &manifest); err != nil || len(manifest.Layers) != 1 {
			return nil, fmt.Errorf("the %s manifest has not one layer (%v)", platform, err)
		}
		zr, err := gzip.NewReader(strings.NewReader(string(blob(manifest.Layers[0]))))
		if err != nil {
			return nil, err
		}
		tr := tar.NewReader(zr)
		for {
			h, err := tr.Next()
			if err != nil {
				return nil, fmt.Errorf("no %s in the %s layer: %w", file, platform, err)
			}
			if h.Name == file {
				return io.ReadAll(tr)
			}
		}
	}
	return nil, fmt.Errorf("no image for %s", platform)
}

// readTar reads every regular file of a tar by its path.
func readTar(path string) (map[string][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	files := map[string][]byte{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return nil, err
		}
		if h.Typeflag == tar.TypeReg {
			if files[h.Name], err = io.ReadAll(tr); err != nil {
				return nil, err
			}
		}
	}
}
