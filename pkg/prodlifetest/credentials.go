package prodlifetest

import (
	"context"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The credentials the simulators accept, and the names of the Secrets CreateCredentials
// writes them to (the names config/samples refers to).
const (
	AlibabaSecretName      = testenv.AlibabaSecretName
	AlibabaAccessKeyID     = "LTAI5tProdlifeTestKey01"
	AlibabaAccessKeySecret = "prodlifetest-alibaba-secret"

	FlipsnackSecretName = testenv.FlipsnackSecretName
	FlipsnackAPIKey     = "prodlifetest-flipsnack-key"
	FlipsnackAPISecret  = "prodlifetest-flipsnack-secret"
)

// kitCredentials are the accounts above: what the simulators accept and CreateCredentials
// writes.
var kitCredentials = testenv.Credentials{
	AlibabaAccessKeyID: AlibabaAccessKeyID, AlibabaAccessKeySecret: AlibabaAccessKeySecret,
	FlipsnackAPIKey: FlipsnackAPIKey, FlipsnackAPISecret: FlipsnackAPISecret,
}

// The operator's own credentials (its environment, as in a pod): another account of the
// simulated IoT Platform, used by the namespaces of Options.DefaultCredentialsNamespaces.
const (
	operatorAccessKeyID     = "LTAI5tProdlifeOperator1"
	operatorAccessKeySecret = "prodlifetest-operator-secret"
)

// CreateCredentials creates, in namespace (created too if missing), the Secrets
// AlibabaSecretName (accessKeyId, accessKeySecret) and FlipsnackSecretName (apiKey,
// apiSecret) with the credentials the simulators accept. Resources name them in
// spec.credentialsSecretRef.
func (e *Env) CreateCredentials(t testing.TB, namespace string) {
	t.Helper()
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}
	if err := e.Client.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("prodlifetest: creating namespace %s: %v", namespace, err)
	}
	if err := testenv.ApplyCredentials(ctx, e.Client, namespace, kitCredentials, "prodlifetest"); err != nil {
		t.Fatalf("prodlifetest: %v", err)
	}
}
