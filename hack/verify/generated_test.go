package verify

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// TestGeneratedFilesAreCurrent regenerates the CRDs, RBAC and deepcopy code, the lists of
// kinds in config/ and the chart's copies (hack/kinds) in a copy of the repository and fails
// if any committed file differs: a marker edited without
// `make manifests generate` would otherwise ship a CRD that does not match the Go types.
// The copy's generated files are removed first, so a committed one that generation no
// longer produces (a kind renamed or removed) is found too.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	root := testenv.RepoRoot()
	work := t.TempDir()
	if err := copyTree(root, work); err != nil {
		t.Fatalf("copying the repository: %v", err)
	}
	committedGenerated, err := generatedFiles(work)
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range committedGenerated {
		if err := os.Remove(filepath.Join(work, rel)); err != nil {
			t.Fatal(err)
		}
	}
	// LOCALBIN points at the real bin/ so the cached controller-gen is reused.
	cmd := exec.Command("make", "-s", "-C", work, "manifests", "generate", "LOCALBIN="+filepath.Join(root, "bin"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make manifests generate: %v\n%s", err, out)
	}
	for _, dir := range []string{"config", "api", "charts"} {
		err := filepath.WalkDir(filepath.Join(work, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(work, path)
			fresh, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			committed, err := os.ReadFile(filepath.Join(root, rel))
			if err != nil {
				t.Errorf("%s is generated but missing from the repository: run `make manifests generate` and commit it", rel)
				return nil
			}
			if !bytes.Equal(fresh, committed) {
				t.Errorf("%s is stale: run `make manifests generate` and commit the result", rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, rel := range committedGenerated {
		if _, err := os.Stat(filepath.Join(work, rel)); errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s is committed but `make manifests generate` no longer produces it: delete it", rel)
		} else if err != nil {
			t.Fatal(err)
		}
	}
}

// generatedFiles lists the files under root that `make manifests generate` writes: the CRDs
// (config/crd/bases), the manager's Role (config/rbac/role.yaml) and the deepcopy code.
func generatedFiles(root string) ([]string, error) {
	var files []string
	if _, err := os.Stat(filepath.Join(root, "config/rbac/role.yaml")); err == nil {
		files = append(files, "config/rbac/role.yaml")
	}
	crds, err := filepath.Glob(filepath.Join(root, "config/crd/bases/*"))
	if err != nil {
		return nil, err
	}
	err = filepath.WalkDir(filepath.Join(root, "api"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), "zz_generated.") {
			crds = append(crds, path)
		}
		return err
	})
	for _, path := range crds {
		rel, _ := filepath.Rel(root, path)
		files = append(files, rel)
	}
	return files, err
}

// copyTree copies the repository without bin/ and .git, keeping modification times so that
// make does not think the tools' go.mod changed and rebuild controller-gen.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() && (rel == "bin" || rel == ".git") {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.WriteFile(target, data, info.Mode().Perm()); err != nil {
			return err
		}
		return os.Chtimes(target, info.ModTime(), info.ModTime())
	})
}
