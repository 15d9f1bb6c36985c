package manifests_test

import (
	"reflect"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/internal/manifests"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// The manager's identity as ManagerRBAC renders it is the one `kubectl kustomize
// config/default` renders: same names, namespace, rules, role and subjects.
func TestManagerRBACIsWhatKustomizeRenders(t *testing.T) {
	ours, err := manifests.ManagerRBAC("prodlife-system", "prodlife-")
	if err != nil {
		t.Fatal(err)
	}
	rendered, err := testenv.Kustomize("config/default")
	if err != nil {
		t.Fatal(err)
	}
	if len(ours) != 3 {
		t.Fatalf("ManagerRBAC gives %d objects, want the ServiceAccount, the ClusterRole and its binding", len(ours))
	}
	for _, obj := range ours {
		var match bool
		for _, r := range rendered {
			if r.GetKind() != obj.GetKind() || r.GetName() != obj.GetName() || r.GetNamespace() != obj.GetNamespace() {
				continue
			}
			match = true
			for _, field := range []string{"rules", "roleRef", "subjects"} {
				if !reflect.DeepEqual(obj.Object[field], r.Object[field]) {
					t.Errorf("%s %s: %s is %v, kustomize renders %v", obj.GetKind(), obj.GetName(), field, obj.Object[field], r.Object[field])
				}
			}
		}
		if !match {
			t.Errorf("%s %s/%s is not among what config/default renders", obj.GetKind(), obj.GetNamespace(), obj.GetName())
		}
	}
}
