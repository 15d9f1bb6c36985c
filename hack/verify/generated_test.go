package verify

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// TestGeneratedFilesAreCurrent regenerates the CRDs, RBAC and deepcopy code in a copy of the
// repository and fails if any committed file differs: a marker edited without
// `make manifests generate` would otherwise ship a CRD that does not match the Go types.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	root := testenv.RepoRoot()
	work := t.TempDir()
	if err := copyTree(root, work); err != nil {
		t.Fatalf("copying the repository: %v", err)
	}
	// LOCALBIN points at the real bin/ so the cached controller-gen is reused.
	cmd := exec.Command("make", "-s", "-C", work, "manifests", "generate", "LOCALBIN="+filepath.Join(root, "bin"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make manifests generate: %v\n%s", err, out)
	}
	for _, dir := range []string{"config", "api"} {
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
