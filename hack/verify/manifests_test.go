package verify

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// manifest is one rendered object: what identifies it, and its YAML for a typed decode.
type manifest struct {
	Kind      string
	Name      string
	Namespace string
	Labels    map[string]string
	YAML      []byte
}

func (m manifest) String() string {
	if m.Namespace == "" {
		return m.Kind + "/" + m.Name
	}
	return m.Kind + "/" + m.Namespace + "/" + m.Name
}

// manifests is a rendered install, in the order it was rendered.
type manifests []manifest

var documentSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// parseManifests splits a multi-document YAML stream (kustomize's or helm's) into objects.
func parseManifests(t *testing.T, rendered []byte) manifests {
	t.Helper()
	var out manifests
	for _, doc := range documentSeparator.Split(string(rendered), -1) {
		var meta struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name      string            `json:"name"`
				Namespace string            `json:"namespace"`
				Labels    map[string]string `json:"labels"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
			t.Fatalf("rendered a document that is not YAML: %v\n%s", err, doc)
		}
		if meta.Kind == "" {
			continue // a comment-only or empty document
		}
		out = append(out, manifest{
			Kind: meta.Kind, Name: meta.Metadata.Name, Namespace: meta.Metadata.Namespace,
			Labels: meta.Metadata.Labels, YAML: []byte(doc),
		})
	}
	return out
}

func (ms manifests) ofKind(kind string) manifests {
	var out manifests
	for _, m := range ms {
		if m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

func (ms manifests) names() []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.String())
	}
	return out
}

// decode reads a manifest into a typed object from k8s.io/api.
func decode[T any](t *testing.T, m manifest) *T {
	t.Helper()
	obj := new(T)
	if err := yaml.UnmarshalStrict(m.YAML, obj); err != nil {
		t.Fatalf("%s does not decode as its kind: %v", m, err)
	}
	return obj
}

// onlyDeployment returns the install's one Deployment: the manager.
func (ms manifests) onlyDeployment(t *testing.T) *appsv1.Deployment {
	t.Helper()
	deps := ms.ofKind("Deployment")
	if len(deps) != 1 {
		t.Fatalf("want exactly one Deployment (the manager), rendered %v", deps.names())
	}
	return decode[appsv1.Deployment](t, deps[0])
}

// generatedManagerRules are the rules `make manifests` writes from the RBAC markers: the
// manager's permissions, which every install must grant exactly.
func generatedManagerRules(t *testing.T) []rbacv1.PolicyRule {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "rbac", "role.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return decode[rbacv1.ClusterRole](t, manifest{Kind: "ClusterRole", Name: "manager-role", YAML: data}).Rules
}

// kustomize renders a kustomization folder of the repository with the real kubectl.
func kustomize(t *testing.T, dir string) []byte {
	t.Helper()
	out, err := exec.Command("kubectl", "kustomize", filepath.Join(testenv.RepoRoot(), dir)).Output()
	if err != nil {
		t.Fatalf("kubectl kustomize %s: %v\n%s", dir, err, stderrOf(err))
	}
	return out
}

func stderrOf(err error) []byte {
	if exit, ok := err.(*exec.ExitError); ok {
		return exit.Stderr
	}
	return nil
}

// helmBinary is the helm the Makefile built from hack/helm: $HELM as `make test` passes it,
// or bin/helm-<version> for a plain `go test`.
func helmBinary(t *testing.T) string {
	return pinnedTool(t, "HELM", "helm", "helm", `helm\.sh/helm/v\d+`)
}

// pinnedTool is a tool the Makefile built from its module under hack/<dir>: $env as `make
// test` passes it, or bin/<name>-<version>, the version read from that go.mod's require line
// of module (a regular expression).
func pinnedTool(t *testing.T, env, dir, name, module string) string {
	t.Helper()
	if p := os.Getenv(env); p != "" {
		return p
	}
	root := testenv.RepoRoot()
	mod, err := os.ReadFile(filepath.Join(root, "hack", dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	version := regexp.MustCompile(`(?m)^require ` + module + ` (v\S+)$`).FindSubmatch(mod)
	if version == nil {
		t.Fatalf("hack/%s/go.mod has no require line of its own for %s", dir, module)
	}
	bin := os.Getenv("LOCALBIN")
	if bin == "" {
		bin = filepath.Join(root, "bin")
	}
	p := filepath.Join(bin, name+"-"+string(version[1]))
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s is not built (%v): run `make %s`, or the tests with `make test`", name, err, name)
	}
	return p
}

// helm runs the pinned helm and returns its standard output, failing the test on an error.
func helm(t *testing.T, args ...string) []byte {
	t.Helper()
	out, err := helmOutput(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// helmOutput runs the pinned helm with its caches and settings kept inside the test's
// temporary folder, so the tests neither read nor write the user's helm configuration.
func helmOutput(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(helmBinary(t), args...)
	cmd.Env = append(os.Environ(),
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"),
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("helm %s: %w\n%s%s", strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes(), nil
}

// chartDir is the Helm chart's folder.
func chartDir() string {
	return filepath.Join(testenv.RepoRoot(), "charts", "product-lifecycle-operator")
}

// helmTemplate renders the chart as `helm install` would, CRDs included, into the release
// namespace prodlife-system, with extra --set or --values arguments.
func helmTemplate(t *testing.T, extra ...string) manifests {
	t.Helper()
	args := append([]string{"template", "prodlife", chartDir(), "--namespace", "prodlife-system", "--include-crds"}, extra...)
	return parseManifests(t, helm(t, args...))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
