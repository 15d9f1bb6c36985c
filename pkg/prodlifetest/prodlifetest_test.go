package prodlifetest_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
	"github.com/prodlife/product-lifecycle-operator/pkg/prodlifetest"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

// TestKitStartsItsOwnAPIServer: without a Config (and without Main) the kit starts envtest
// from KUBEBUILDER_ASSETS, and the operator in it creates and deletes a product, with the
// admission policies in force (only the operator may write its annotations) and the
// operator's own credentials for the namespaces allowed them.
func TestKitStartsItsOwnAPIServer(t *testing.T) {
	env := prodlifetest.Start(t, prodlifetest.Options{DefaultCredentialsNamespaces: []string{"own"}, Namespaces: []string{"own"}})
	env.CreateCredentials(t, "own")
	ctx := context.Background()

	p := &v1alpha1.IoTProduct{
		ObjectMeta: metav1.ObjectMeta{Namespace: env.Namespace, Name: "sensor"},
		Spec: v1alpha1.IoTProductSpec{
			ProductName: "kit_sensor", Region: "cn-shanghai",
			CredentialsSecretRef: &v1alpha1.SecretReference{Name: prodlifetest.AlibabaSecretName},
		},
	}
	if err := env.Client.Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	env.WaitForCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionTrue)

	// A tenant of the namespace is not the operator: the policies refuse her the identity
	// annotations. (The test's own client is envtest's admin, a cluster administrator, whom
	// they trust as they trust every cluster administrator.)
	forged := p.DeepCopy()
	forged.Annotations["prodlife.dev/external-id"] = "a1Forged0000"
	if err := tenant(t, env).Update(ctx, forged); err == nil || !strings.Contains(err.Error(), "denied") {
		t.Errorf("a tenant's change of the identity annotation: %v, want refused by the admission policies", err)
	}

	own := &v1alpha1.IoTProduct{
		ObjectMeta: metav1.ObjectMeta{Namespace: "own", Name: "sensor"},
		Spec:       v1alpha1.IoTProductSpec{ProductName: "own_sensor", Region: "cn-shanghai"},
	}
	if err := env.Client.Create(ctx, own); err != nil {
		t.Fatal(err)
	}
	env.WaitForCondition(t, own, v1alpha1.ConditionReady, metav1.ConditionTrue)

	if err := env.Alibaba.SetFaults(alibabaiot.Faults{alibabaiot.ActionDeleteProduct: {ErrorRate: 1, Code: "Forbidden.RAM", Count: 1}}); err != nil {
		t.Fatal(err)
	}
	if err := env.Client.Delete(ctx, p); err != nil {
		t.Fatal(err)
	}
	env.WaitForDeletion(t, p)
	if err := env.Client.Delete(ctx, own); err != nil {
		t.Fatal(err)
	}
	env.WaitForDeletion(t, own)

	if n := len(env.Alibaba.Products()); n != 0 {
		t.Errorf("%d products left on the platform", n)
	}
	var codes []string
	for _, c := range env.Alibaba.Calls(alibabaiot.ActionDeleteProduct) {
		codes = append(codes, c.Code)
	}
	if len(codes) != 3 || codes[0] != "Forbidden.RAM" {
		t.Errorf("DeleteProduct answered %q; want the injected Forbidden.RAM, then one success per product", codes)
	}
}

// TestKitSaysWhatIsMissing: without Config and KUBEBUILDER_ASSETS the kit fails the test
// naming the variable.
func TestKitSaysWhatIsMissing(t *testing.T) {
	t.Setenv("KUBEBUILDER_ASSETS", "")
	ft := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		prodlifetest.Start(ft, prodlifetest.Options{})
	}()
	<-done
	if !strings.Contains(ft.msg, "KUBEBUILDER_ASSETS is not set") || !strings.Contains(ft.msg, "setup-envtest") {
		t.Errorf("Start without an API server failed with %q; want it to name KUBEBUILDER_ASSETS and setup-envtest", ft.msg)
	}
}

// fatalRecorder records a Fatalf and ends its goroutine, as testing's own does.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// Kits start in parallel tests, each with its own API server, simulators and operator, and
// each operator uses its own credentials without touching the process's environment.
func TestKitsStartInParallelTests(t *testing.T) {
	for _, name := range []string{"a", "b"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := prodlifetest.Start(t, prodlifetest.Options{DefaultCredentialsNamespaces: []string{"*"}})
			p := &v1alpha1.IoTProduct{
				ObjectMeta: metav1.ObjectMeta{Namespace: env.Namespace, Name: "sensor"},
				Spec:       v1alpha1.IoTProductSpec{ProductName: "own_sensor_" + name, Region: "cn-shanghai"},
			}
			if err := env.Client.Create(context.Background(), p); err != nil {
				t.Fatal(err)
			}
			env.WaitForCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionTrue)
			if n := len(env.Alibaba.Products()); n != 1 {
				t.Errorf("kit %s's platform holds %d products, want its own one", name, n)
			}
		})
	}
}

// tenant is a client of a user who may do anything with IoTProducts in the test's namespace,
// and nothing else.
func tenant(t *testing.T, env *prodlifetest.Env) client.Client {
	t.Helper()
	ctx := context.Background()
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: env.Namespace, Name: "tenant"}, Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{"prodlife.dev"}, Resources: []string{"iotproducts"}, Verbs: []string{"*"}}}}
	binding := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: env.Namespace, Name: "tenant"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "tenant"},
		Subjects: []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: "User", Name: "tenant"}}}
	for _, obj := range []client.Object{role, binding} {
		if err := env.Client.Create(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	cfg := rest.CopyConfig(env.Config)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "tenant"}
	c, err := client.New(cfg, client.Options{Scheme: env.Scheme})
	if err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 30*time.Second, "the tenant's Role to apply", func() string {
		if err := c.List(ctx, &v1alpha1.IoTProductList{}, client.InNamespace(env.Namespace)); err != nil {
			return err.Error()
		}
		return ""
	})
	return c
}
