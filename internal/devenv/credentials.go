package devenv

import (
	"context"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// Credentials are one account on each simulated platform.
type Credentials = testenv.Credentials

// DemoCredentials are the simulator command's defaults (hack/simulator), the accounts the
// environment's simulators accept.
var DemoCredentials = testenv.DemoCredentials

// The Secrets the samples (config/samples) name in credentialsSecretRef.
const (
	AlibabaSecretName   = testenv.AlibabaSecretName
	FlipsnackSecretName = testenv.FlipsnackSecretName
)

// fieldManager owns what the environment writes into the cluster once it runs (credentials,
// samples); the operator's install is testenv's (InstallOperator), as in every environment.
const fieldManager = "prodlife-devenv"

// CreateCredentials writes the two credentials Secrets the samples use into namespace, with
// the credentials the simulators accept. It can be called again: the Secrets are applied.
func (e *Env) CreateCredentials(ctx context.Context, namespace string) error {
	return testenv.ApplyCredentials(ctx, e.Client, namespace, e.opts.Credentials, fieldManager)
}
