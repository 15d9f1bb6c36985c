package verify

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// There is no container engine where the tests run, so these check the Dockerfile and the
// .dockerignore as the engine would read them.

// TestImageIsStaticDistrolessAndNonRoot: a multi-stage build whose image holds only the
// static manager, on distroless, running as the non-root user.
func TestImageIsStaticDistrolessAndNonRoot(t *testing.T) {
	stages := dockerStages(t)
	if len(stages) < 2 {
		t.Fatalf("the Dockerfile has %d stage(s); want a builder and a separate image", len(stages))
	}
	builder, image := stages[0], stages[len(stages)-1]

	base := image.from()
	if !strings.HasPrefix(base, "gcr.io/distroless/") || !strings.HasSuffix(base, ":nonroot") {
		t.Errorf("the image is based on %q; want a gcr.io/distroless/...:nonroot base", base)
	}
	switch user := image.last("USER"); user {
	case "65532", "65532:65532", "nonroot", "nonroot:nonroot":
	default:
		t.Errorf("the image runs as USER %q; want distroless's nonroot (65532)", user)
	}
	if image.last("ENTRYPOINT") == "" {
		t.Errorf("the image has no ENTRYPOINT")
	}
	for _, copy := range image.all("COPY") {
		if !strings.HasPrefix(copy, "--from=") {
			t.Errorf("the image copies %q from the build context; it should hold only what the builder built", copy)
		}
	}

	var build string
	for _, run := range builder.all("RUN") {
		if strings.Contains(run, "go build") {
			build = run
		}
	}
	if !regexp.MustCompile(`(^|\s)CGO_ENABLED=0\s`).MatchString(build) {
		t.Errorf("the manager is built with %q; want CGO_ENABLED=0, as the distroless static base has no libc", build)
	}

	// The builder's Go must be able to build the module.
	mod, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "go.mod"))
	must(t, err)
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mod)
	if goVersion == nil || !strings.HasPrefix(builder.from(), "golang:"+string(goVersion[1])) {
		t.Errorf("the builder is %q, but go.mod asks for Go %s", builder.from(), goVersion[1])
	}
}

// TestBuildContextIsSmallButComplete: bin/, .git and everything else the build does not
// need stay out of the context, and every file the manager compiles goes in.
func TestBuildContextIsSmallButComplete(t *testing.T) {
	root := testenv.RepoRoot()
	for _, path := range []string{"bin/manager", "bin/k8s/etcd", ".git/HEAD", ".git/objects/pack/x.pack", "charts/product-lifecycle-operator/Chart.yaml", "config/default/kustomization.yaml", "hack/tools/go.mod", "controllers/engine_test.go"} {
		if inBuildContext(t, path) {
			t.Errorf(".dockerignore lets %s into the build context", path)
		}
	}

	copied := dockerStages(t)[0].all("COPY")
	out, err := exec.Command("go", "list", "-C", root, "-deps", "-f", `{{if not .Standard}}{{$dir := .Dir}}{{range .GoFiles}}{{$dir}}/{{.}}{{"\n"}}{{end}}{{range .EmbedFiles}}{{$dir}}/{{.}}{{"\n"}}{{end}}{{end}}`, ".").Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderrOf(err))
	}
	needed := []string{"go.mod", "go.sum"}
	for _, file := range strings.Fields(string(out)) {
		if rel, err := filepath.Rel(root, file); err == nil && !strings.HasPrefix(rel, "..") {
			needed = append(needed, filepath.ToSlash(rel))
		}
	}
	for _, file := range needed {
		if !inBuildContext(t, file) {
			t.Errorf("the manager needs %s, but .dockerignore keeps it out of the build context", file)
		}
		if !copiedBy(copied, file) {
			t.Errorf("the manager needs %s, but no COPY of the builder stage brings it in (%q)", file, copied)
		}
	}
}

// inBuildContext applies .dockerignore with the engine's own matcher.
func inBuildContext(t *testing.T, path string) bool {
	t.Helper()
	f, err := os.Open(filepath.Join(testenv.RepoRoot(), ".dockerignore"))
	must(t, err)
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	must(t, err)
	pm, err := patternmatcher.New(patterns)
	must(t, err)
	excluded, err := pm.MatchesOrParentMatches(path)
	must(t, err)
	return !excluded
}

// copiedBy says whether one of the COPY instructions' sources (from the context) holds file.
func copiedBy(copies []string, file string) bool {
	for _, c := range copies {
		fields := strings.Fields(c)
		if len(fields) < 2 || strings.HasPrefix(fields[0], "--from=") {
			continue
		}
		for _, src := range fields[:len(fields)-1] {
			if strings.HasPrefix(src, "--") {
				continue
			}
			src = strings.TrimPrefix(src, "./")
			if src == file || src == "." || (strings.HasSuffix(src, "/") && strings.HasPrefix(file, src)) {
				return true
			}
		}
	}
	return false
}

// dockerStage is one FROM and the instructions after it, as "INSTRUCTION arguments".
type dockerStage []string

func (s dockerStage) from() string {
	fields := strings.Fields(strings.TrimPrefix(s[0], "FROM "))
	for _, f := range fields {
		if !strings.HasPrefix(f, "--") {
			return f
		}
	}
	return ""
}

func (s dockerStage) all(instruction string) []string {
	var out []string
	for _, line := range s {
		if args, ok := strings.CutPrefix(line, instruction+" "); ok {
			out = append(out, strings.TrimSpace(args))
		}
	}
	return out
}

func (s dockerStage) last(instruction string) string {
	all := s.all(instruction)
	if len(all) == 0 {
		return ""
	}
	return all[len(all)-1]
}

// dockerStages reads the Dockerfile: comments dropped, continued lines joined, instructions
// upper-cased, split into stages at each FROM.
func dockerStages(t *testing.T) []dockerStage {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "Dockerfile"))
	must(t, err)
	var stages []dockerStage
	var pending string
	for _, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && pending == "") {
			continue
		}
		if more, ok := strings.CutSuffix(trimmed, `\`); ok {
			pending += more + " "
			continue
		}
		full := strings.TrimSpace(pending + trimmed)
		pending = ""
		instruction, args, _ := strings.Cut(full, " ")
		full = strings.ToUpper(instruction) + " " + strings.TrimSpace(args)
		if strings.HasPrefix(full, "FROM ") {
			stages = append(stages, dockerStage{full})
		} else if len(stages) > 0 {
			stages[len(stages)-1] = append(stages[len(stages)-1], full)
		}
	}
	return stages
}
