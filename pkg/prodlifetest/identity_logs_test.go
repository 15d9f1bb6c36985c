package prodlifetest_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
	"github.com/prodlife/product-lifecycle-operator/pkg/prodlifetest"
)

// The kit's manager runs as the operator's ServiceAccount with the RBAC config/rbac ships: it
// may not delete Secrets or do everything; yet it brings a product to Ready, which it could
// not with a permission missing. The test's namespace is gone when the test ends, and with it
// the product from the platform.
func TestKitRunsTheManagerAsInstalled(t *testing.T) {
	server, err := testenv.StartAPIServer() // the caller's own API server (Options.Config)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = server.Stop() })
	var env *prodlifetest.Env
	t.Run("test", func(t *testing.T) {
		env = prodlifetest.Start(t, prodlifetest.Options{Config: server.Config})
		for _, attr := range []authorizationv1.ResourceAttributes{
			{Verb: "*", Group: "*", Resource: "*"},
			{Verb: "delete", Resource: "secrets", Namespace: env.Namespace},
		} {
			review := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
				User: prodlifetest.ManagerUsername, ResourceAttributes: &attr,
				Groups: []string{"system:serviceaccounts", "system:authenticated"},
			}}
			if err := env.Client.Create(context.Background(), review); err != nil {
				t.Fatal(err)
			}
			if review.Status.Allowed {
				t.Errorf("%s may %s %s; the operator's RBAC grants no such thing", prodlifetest.ManagerUsername, attr.Verb, attr.Resource)
			}
		}
		readyProduct(t, env)
	})
	if n := len(env.Alibaba.Products()); n != 0 {
		t.Errorf("%d products left on the platform after the test", n)
	}
	products := &v1alpha1.IoTProductList{}
	if err := env.Client.List(context.Background(), products, client.InNamespace(env.Namespace)); err != nil || len(products.Items) != 0 {
		t.Errorf("IoTProducts left in the test's namespace: %d (%v)", len(products.Items), err)
	}
	ns := &corev1.Namespace{}
	if err := env.Client.Get(context.Background(), client.ObjectKey{Name: env.Namespace}, ns); err == nil && ns.DeletionTimestamp == nil {
		t.Errorf("namespace %s is not being deleted after the test", env.Namespace)
	}
}

// A field the CRD does not know fails the request: Env.Client validates strictly.
func TestKitClientRefusesUnknownFields(t *testing.T) {
	env := prodlifetest.Start(t, prodlifetest.Options{})
	obj := map[string]any{
		"apiVersion": "prodlife.dev/v1alpha1", "kind": "IoTProduct",
		"metadata": map[string]any{"namespace": env.Namespace, "name": "typo"},
		"spec":     map[string]any{"productName": "typo", "region": "cn-shanghai", "deletionPolicyy": "Orphan"},
	}
	if err := env.Client.Create(context.Background(), &unstructured.Unstructured{Object: obj}); err == nil || !strings.Contains(err.Error(), "deletionPolicyy") {
		t.Errorf("creating an IoTProduct with spec.deletionPolicyy: %v; want it refused naming the field", err)
	}
}

// With LogsOnFailure, a failed test's log holds the manager's logs; a passing test's does not.
func TestKitWritesTheManagersLogsOfAFailedTest(t *testing.T) {
	for _, failed := range []bool{true, false} {
		rec := &logRecorder{failed: failed}
		t.Run(fmt.Sprint("failed=", failed), func(t *testing.T) {
			rec.TB = t
			env := prodlifetest.Start(rec, prodlifetest.Options{LogsOnFailure: true})
			readyProduct(t, env)
		})
		logs := rec.text()
		if got := strings.Contains(logs, "the manager's logs") && strings.Contains(logs, "sensor"); got != failed {
			t.Errorf("failed=%v: the test's log holds the manager's logs: %v\n%s", failed, got, logs)
		}
	}
}

// logRecorder is a test that says it failed when told to, and keeps what is logged.
type logRecorder struct {
	testing.TB
	failed bool
	mu     sync.Mutex
	logs   strings.Builder
}

func (r *logRecorder) Failed() bool { return r.failed }

func (r *logRecorder) Logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(&r.logs, format+"\n", args...)
}

func (r *logRecorder) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.logs.String()
}
