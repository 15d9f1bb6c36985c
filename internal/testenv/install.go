package testenv

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/prodlife/product-lifecycle-operator/internal/manifests"
)

// The operator as users install it (config/default): its namespace and ServiceAccount.
const (
	OperatorNamespace      = "prodlife-system"
	OperatorServiceAccount = "prodlife-controller-manager"
)

// OperatorUsername is the user the API server sees for a token of a ServiceAccount.
func OperatorUsername(namespace, serviceAccount string) string {
	return "system:serviceaccount:" + namespace + ":" + serviceAccount
}

// Kustomize renders a kustomization of the repository (dir relative to its root) with the
// real `kubectl kustomize`, as a user's `kubectl apply -k` would.
func Kustomize(dir string) ([]*unstructured.Unstructured, error) {
	out, err := exec.Command("kubectl", "kustomize", filepath.Join(RepoRoot(), dir)).Output()
	if err != nil {
		if exit, ok := err.(*exec.ExitError); ok {
			return nil, fmt.Errorf("kubectl kustomize %s: %w\n%s", dir, err, exit.Stderr)
		}
		return nil, fmt.Errorf("kubectl kustomize %s: %w", dir, err)
	}
	return manifests.Decode(out, dir)
}

// Install applies what an install renders, as the admin, but the manager's Deployment (the
// caller runs the binary itself) and the CRDs (envtest installed them), and returns the
// arguments of the Deployment's manager container. It waits a moment for the admission
// policies to load, as they do a second or two after they are created.
func Install(ctx context.Context, c client.Client, objs []*unstructured.Unstructured, deployment, fieldOwner string) ([]string, error) {
	var args []string
	found := false
	for _, obj := range objs {
		switch obj.GetKind() {
		case "CustomResourceDefinition":
			continue
		case "Deployment":
			if obj.GetName() == deployment {
				found = true
				containers, _, _ := unstructured.NestedSlice(obj.Object, "spec", "template", "spec", "containers")
				for _, container := range containers {
					if m, ok := container.(map[string]any); ok && m["name"] == "manager" {
						list, _, _ := unstructured.NestedStringSlice(m, "args")
						args = append(args, list...)
					}
				}
			}
			continue
		}
		if err := apply(ctx, c, obj, fieldOwner); err != nil {
			return nil, fmt.Errorf("installing %s %s: %w", obj.GetKind(), obj.GetName(), err)
		}
	}
	if !found {
		return nil, fmt.Errorf("the install renders no Deployment %s", deployment)
	}
	time.Sleep(2 * time.Second)
	return args, nil
}

// ServiceAccountConfig is cfg (the API server's address and CA) as the ServiceAccount, with a
// token the TokenRequest API issues for ttl, as the kubelet asks one for a pod.
func ServiceAccountConfig(ctx context.Context, admin client.Client, cfg *rest.Config, namespace, name string, ttl time.Duration) (*rest.Config, error) {
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}}
	req := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To(int64(ttl.Seconds()))}}
	if err := admin.SubResource("token").Create(ctx, sa, req); err != nil {
		return nil, fmt.Errorf("requesting a token of ServiceAccount %s/%s: %w", namespace, name, err)
	}
	out := rest.AnonymousClientConfig(cfg)
	out.BearerToken = req.Status.Token
	return out, nil
}

// WriteKubeconfig writes a kubeconfig of cfg's server, CA and credentials (a bearer token or
// a client certificate), its cluster and context named contextName, its user userName.
func WriteKubeconfig(cfg *rest.Config, contextName, userName, path string) error {
	kc := clientcmdapi.NewConfig()
	kc.Clusters[contextName] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos[userName] = &clientcmdapi.AuthInfo{Token: cfg.BearerToken, ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData}
	kc.Contexts[contextName] = &clientcmdapi.Context{Cluster: contextName, AuthInfo: userName}
	kc.CurrentContext = contextName
	return clientcmd.WriteToFile(*kc, path)
}

// Identity is who an environment's manager runs as, and how it was installed.
type Identity int

const (
	// AsRendered installs the ServiceAccount, RBAC and admission policies of config/default
	// as `kubectl kustomize` renders them (a user's `kubectl apply -k`), the manager a token
	// of that ServiceAccount: make dev, the e2e, fault and scale suites, the controllers and
	// uninstall suites.
	AsRendered Identity = iota
	// AsEmbedded installs the same ServiceAccount and ClusterRole from the module's embedded
	// config/rbac, with no kubectl, and the admission policies trusting it: the test kit, in
	// its users' own modules.
	AsEmbedded
	// AsAdmin trusts ManagerUser, a user of system:masters, as the operator: the suites that
	// test admission as the operator and as a tenant, and `make dev --as-installed=false`.
	AsAdmin
)

// ManagerUser is the user an AsAdmin manager runs as; tests act as envtest's admin.
const ManagerUser = "prodlife-operator"

// InstallOperator installs what the manager's identity needs, as identity says, and sets
// ManagerConfig to that identity (a ServiceAccount's token valid for ttl, or ManagerUser's
// client certificate). Every environment of the project installs its operator here; it may
// run again against the same API server. AsAdmin needs a control plane this package started.
func (e *Env) InstallOperator(ctx context.Context, identity Identity, ttl time.Duration) error {
	switch identity {
	case AsAdmin:
		if e.Env == nil {
			return fmt.Errorf("a manager in system:masters needs a control plane started by package testenv")
		}
		trust := AdmissionIdentities{ManagerUsernames: []string{ManagerUser}}
		if err := InstallPolicies(ctx, e.Client, trust); err != nil {
			return err
		}
		manager, err := e.Env.AddUser(envtest.User{Name: ManagerUser, Groups: []string{"system:masters"}}, e.Config)
		if err != nil {
			return fmt.Errorf("provisioning the manager's user: %w", err)
		}
		e.ManagerConfig = manager.Config()
		return nil
	case AsRendered:
		objs, err := Kustomize("config/default")
		if err != nil {
			return err
		}
		if _, err := Install(ctx, e.Client, objs, "prodlife-controller-manager", "prodlife-testenv"); err != nil {
			return err
		}
	case AsEmbedded:
		if err := installEmbedded(ctx, e.Client); err != nil {
			return err
		}
	default:
		return fmt.Errorf("no such identity %d", identity)
	}
	cfg, err := ServiceAccountConfig(ctx, e.Client, e.Config, OperatorNamespace, OperatorServiceAccount, ttl)
	if err != nil {
		return err
	}
	e.ManagerConfig = cfg
	return nil
}

// installEmbedded installs the manager's namespace, ServiceAccount, ClusterRole and binding
// as config/default renders them, from the module's embedded config/rbac with no kustomize,
// and the admission policies trusting that ServiceAccount: the least a harness needs to run
// the manager as installed.
func installEmbedded(ctx context.Context, c client.Client) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: OperatorNamespace}}
	if err := c.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating namespace %s: %w", OperatorNamespace, err)
	}
	objs, err := manifests.ManagerRBAC(OperatorNamespace, "prodlife-")
	if err != nil {
		return err
	}
	for _, obj := range objs {
		if err := apply(ctx, c, obj, "prodlife-testenv"); err != nil {
			return fmt.Errorf("installing %s %s: %w", obj.GetKind(), obj.GetName(), err)
		}
	}
	trust := AdmissionIdentities{ManagerUsernames: []string{OperatorUsername(OperatorNamespace, OperatorServiceAccount)}}
	return InstallPolicies(ctx, c, trust)
}
