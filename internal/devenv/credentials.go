package devenv

import (
	"context"
	"fmt"

	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Credentials are one account on each simulated platform.
type Credentials struct {
	AlibabaAccessKeyID     string
	AlibabaAccessKeySecret string
	FlipsnackAPIKey        string
	FlipsnackAPISecret     string
}

// DemoCredentials are the simulator command's defaults (hack/simulator). They open nothing
// but the simulators, which is why they may be written in code and in the Secrets of a
// development cluster.
var DemoCredentials = Credentials{
	AlibabaAccessKeyID:     "LTAI5tDevSimulator00001",
	AlibabaAccessKeySecret: "dev-simulator-alibaba-secret",
	FlipsnackAPIKey:        "DEV-SIMULATOR-API-KEY",
	FlipsnackAPISecret:     "dev-simulator-flipsnack-secret",
}

// The Secrets the samples (config/samples) name in credentialsSecretRef.
const (
	AlibabaSecretName   = "alibaba-credentials"
	FlipsnackSecretName = "flipsnack-credentials"
)

// fieldManager owns what the environment writes into the cluster.
const fieldManager = "prodlife-devenv"

// CreateCredentials writes the two credentials Secrets the samples use into namespace, with
// the credentials the simulators accept. It can be called again: the Secrets are applied.
func (e *Env) CreateCredentials(ctx context.Context, namespace string) error {
	c := e.opts.Credentials
	secrets := []*corev1ac.SecretApplyConfiguration{
		corev1ac.Secret(AlibabaSecretName, namespace).WithData(map[string][]byte{
			"accessKeyId":     []byte(c.AlibabaAccessKeyID),
			"accessKeySecret": []byte(c.AlibabaAccessKeySecret),
		}),
		corev1ac.Secret(FlipsnackSecretName, namespace).WithData(map[string][]byte{
			"apiKey":    []byte(c.FlipsnackAPIKey),
			"apiSecret": []byte(c.FlipsnackAPISecret),
		}),
	}
	for _, s := range secrets {
		if err := e.Client.Apply(ctx, s, client.FieldOwner(fieldManager), client.ForceOwnership); err != nil {
			return fmt.Errorf("writing Secret %s/%s: %w", namespace, *s.Name, err)
		}
	}
	return nil
}
