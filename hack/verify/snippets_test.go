package verify

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// The Go code the docs show users is code that compiles and runs: every Go snippet of
// README.md and docs/ (```go blocks) and every code block of the test kit's package
// documentation is, line for line, part of a test of examples/envtest, which `make test`
// runs.
func TestDocsSnippetsAreTestsThatRun(t *testing.T) {
	root := testenv.RepoRoot()
	var tests []string
	files, _ := filepath.Glob(filepath.Join(root, "examples", "envtest", "*_test.go"))
	for _, f := range files {
		tests = append(tests, trimmedLines(t, f))
	}
	fenced := regexp.MustCompile("(?s)```go\n(.*?)```")
	var snippets []struct{ where, code string }
	docs, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	for _, doc := range append(docs, filepath.Join(root, "README.md")) {
		raw, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range fenced.FindAllStringSubmatch(string(raw), -1) {
			snippets = append(snippets, struct{ where, code string }{filepath.Base(doc), m[1]})
		}
	}
	kitDoc, err := os.ReadFile(filepath.Join(root, "pkg", "prodlifetest", "doc.go"))
	if err != nil {
		t.Fatal(err)
	}
	var block []string
	for _, line := range strings.Split(string(kitDoc), "\n") {
		if code, ok := strings.CutPrefix(line, "//\t"); ok {
			block = append(block, code)
			continue
		}
		if len(block) > 0 && line == "//" {
			block = append(block, "")
			continue
		}
		if len(block) > 0 {
			snippets = append(snippets, struct{ where, code string }{"pkg/prodlifetest/doc.go", strings.Join(block, "\n")})
			block = nil
		}
	}
	if len(snippets) < 3 {
		t.Fatalf("found %d Go snippets in the docs; the check reads none of them", len(snippets))
	}
	for _, s := range snippets {
		for _, part := range strings.Split(s.code, "\n\n") { // a blank line separates declarations
			want := trimmed(part)
			if want == "" {
				continue
			}
			found := false
			for _, test := range tests {
				found = found || strings.Contains(test, want)
			}
			if !found {
				t.Errorf("%s shows Go code that no test of examples/envtest holds:\n%s", s.where, part)
			}
		}
	}
}

func trimmedLines(t *testing.T, path string) string {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return trimmed(string(raw))
}

// trimmed is text with each line's surrounding space removed and blank lines dropped, each
// line ending in a newline.
func trimmed(text string) string {
	var b strings.Builder
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}
