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

// WriteTokenKubeconfig writes a kubeconfig of cfg's server, CA and bearer token, its context
// named name.
func WriteTokenKubeconfig(cfg *rest.Config, name, path string) error {
	kc := clientcmdapi.NewConfig()
	kc.Clusters[name] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos[name] = &clientcmdapi.AuthInfo{Token: cfg.BearerToken}
	kc.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name}
	kc.CurrentContext = name
	return clientcmd.WriteToFile(*kc, path)
}

// StartInstalled is Start with the operator installed as config/default renders it: its
// ServiceAccount, RBAC and admission policies, ManagerConfig a token of that ServiceAccount
// (valid for ttl). The admin, in system:masters, is trusted for restores as every cluster
// administrator is (RBAC grants it everything the identity annotations policy asks), so
// tests can create objects in the states a crashed operator leaves.
func StartInstalled(ttl time.Duration) (*Env, error) {
	env, err := StartAPIServer()
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Env, error) {
		_ = env.Stop()
		return nil, err
	}
	objs, err := Kustomize("config/default")
	if err != nil {
		return fail(err)
	}
	ctx := context.Background()
	if _, err := Install(ctx, env.Client, objs, "prodlife-controller-manager", "prodlife-testenv"); err != nil {
		return fail(err)
	}
	if env.ManagerConfig, err = ServiceAccountConfig(ctx, env.Client, env.Config, OperatorNamespace, OperatorServiceAccount, ttl); err != nil {
		return fail(err)
	}
	return env, nil
}

// InstallManagerIdentity installs the manager's identity as config/default renders it (its
// namespace, ServiceAccount, ClusterRole and binding, from the module's embedded config/rbac,
// with no kustomize) and the admission policies trusting that ServiceAccount (and restores
// as restore says), and returns cfg as the ServiceAccount with a token valid for ttl: the
// least a harness needs to run the manager as installed. It may run again against the same
// API server.
func InstallManagerIdentity(ctx context.Context, c client.Client, cfg *rest.Config, restore AdmissionIdentities, ttl time.Duration) (*rest.Config, error) {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: OperatorNamespace}}
	if err := c.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		return nil, fmt.Errorf("creating namespace %s: %w", OperatorNamespace, err)
	}
	objs, err := manifests.ManagerRBAC(OperatorNamespace, "prodlife-")
	if err != nil {
		return nil, err
	}
	for _, obj := range objs {
		if err := apply(ctx, c, obj, "prodlife-testenv"); err != nil {
			return nil, fmt.Errorf("installing %s %s: %w", obj.GetKind(), obj.GetName(), err)
		}
	}
	trust := restore
	trust.ManagerUsernames = []string{OperatorUsername(OperatorNamespace, OperatorServiceAccount)}
	if err := InstallPolicies(ctx, c, trust); err != nil {
		return nil, err
	}
	return ServiceAccountConfig(ctx, c, cfg, OperatorNamespace, OperatorServiceAccount, ttl)
}
