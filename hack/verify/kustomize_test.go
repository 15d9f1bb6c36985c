package verify

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// TestDefaultInstallRenders renders config/default as `make deploy` would and checks that a
// complete install comes out: both CRDs, the manager's RBAC and its Deployment.
func TestDefaultInstallRenders(t *testing.T) {
	out, err := exec.Command("kubectl", "kustomize", filepath.Join(testenv.RepoRoot(), "config", "default")).CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl kustomize config/default: %v\n%s", err, out)
	}
	found := map[string]bool{}
	for _, doc := range bytes.Split(out, []byte("\n---\n")) {
		var obj struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal(doc, &obj); err != nil {
			t.Fatalf("rendered a document that is not YAML: %v\n%s", err, doc)
		}
		found[obj.Kind+"/"+obj.Metadata.Name] = true
	}
	for _, want := range []string{
		"Namespace/prodlife-system",
		"CustomResourceDefinition/iotproducts.prodlife.dev",
		"CustomResourceDefinition/flipsnackfeeds.prodlife.dev",
		"ClusterRole/prodlife-manager-role",
		"ClusterRoleBinding/prodlife-manager-rolebinding",
		"ServiceAccount/prodlife-controller-manager",
		"Deployment/prodlife-controller-manager",
	} {
		if !found[want] {
			t.Errorf("config/default does not render %s; rendered: %v", want, found)
		}
	}
}
