package verify

import (
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// TestArgoCDHealthChecksCoverBothKinds renders config/argocd and checks that it is Argo CD's
// argocd-cm with the health script (tested on live objects in controllers/health_test.go)
// under the key Argo CD looks up for each kind.
func TestArgoCDHealthChecksCoverBothKinds(t *testing.T) {
	script, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "argocd", "health.lua"))
	must(t, err)
	ms := parseManifests(t, kustomize(t, "config/argocd"))
	if len(ms) != 1 || ms[0].Kind != "ConfigMap" || ms[0].Name != "argocd-cm" || ms[0].Namespace != "argocd" {
		t.Fatalf("config/argocd renders %v; want only ConfigMap argocd/argocd-cm", ms.names())
	}
	if ms[0].Labels["app.kubernetes.io/part-of"] != "argocd" {
		t.Errorf("argocd-cm lacks the label app.kubernetes.io/part-of=argocd that Argo CD selects it by")
	}
	cm := decode[corev1.ConfigMap](t, ms[0])
	for _, key := range []string{
		"resource.customizations.health.prodlife.dev_IoTProduct",
		"resource.customizations.health.prodlife.dev_FlipsnackFeed",
	} {
		if cm.Data[key] != string(script) {
			t.Errorf("argocd-cm key %s is not config/argocd/health.lua", key)
		}
	}
}
