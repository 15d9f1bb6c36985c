package testenv

import (
	"time"

	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
	fssim "github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

// This file is what the environments know of each platform: an account on it, the Secret
// that holds the account, its simulator and the flags that send the operator's calls there.
// Every environment (make dev, the suites, the benchmarks, the test kit) reads it, so a new
// platform is one more entry in each of the lists below.

// Credentials are one account on each simulated platform.
type Credentials struct {
	AlibabaAccessKeyID     string
	AlibabaAccessKeySecret string
	FlipsnackAPIKey        string
	FlipsnackAPISecret     string
}

// The Secrets the samples (config/samples) name in credentialsSecretRef.
const (
	AlibabaSecretName   = "alibaba-credentials"
	FlipsnackSecretName = "flipsnack-credentials"
)

// credentialsSecrets are the samples' Secrets in namespace, with the keys the kinds read
// (api/v1alpha1/kinds.go).
func credentialsSecrets(namespace string, creds Credentials) []*corev1ac.SecretApplyConfiguration {
	return []*corev1ac.SecretApplyConfiguration{
		corev1ac.Secret(AlibabaSecretName, namespace).WithData(map[string][]byte{
			v1alpha1.SecretKeyAccessKeyID:     []byte(creds.AlibabaAccessKeyID),
			v1alpha1.SecretKeyAccessKeySecret: []byte(creds.AlibabaAccessKeySecret),
		}),
		corev1ac.Secret(FlipsnackSecretName, namespace).WithData(map[string][]byte{
			v1alpha1.SecretKeyAPIKey:    []byte(creds.FlipsnackAPIKey),
			v1alpha1.SecretKeyAPISecret: []byte(creds.FlipsnackAPISecret),
		}),
	}
}

// DemoCredentials are the accounts of the simulator command (hack/simulator), of `make dev`
// and of the suites that run its environment. They open nothing but the simulators, which is
// why they may be written in code and in the Secrets of a development cluster.
var DemoCredentials = Credentials{
	AlibabaAccessKeyID:     "LTAI5tDevSimulator00001",
	AlibabaAccessKeySecret: "dev-simulator-alibaba-secret",
	FlipsnackAPIKey:        "DEV-SIMULATOR-API-KEY",
	FlipsnackAPISecret:     "dev-simulator-flipsnack-secret",
}

// SimulatorOptions configure each platform's simulator and the address it listens on (""
// or a port of 0: a free loopback port).
type SimulatorOptions struct {
	Alibaba       alibabaiot.Options
	AlibabaAddr   string
	Flipsnack     fssim.Options
	FlipsnackAddr string
}

// SimulatorsAccepting are simulators whose platforms accept creds and nothing else.
func SimulatorsAccepting(creds Credentials) SimulatorOptions {
	return SimulatorOptions{
		Alibaba:   alibabaiot.Options{AccessKeyID: creds.AlibabaAccessKeyID, AccessKeySecret: creds.AlibabaAccessKeySecret},
		Flipsnack: fssim.Options{APIKey: creds.FlipsnackAPIKey, APISecret: creds.FlipsnackAPISecret},
	}
}

// Simulators are every platform's fake, served from this process on loopback.
type Simulators struct {
	Alibaba   *alibabaiot.Server
	Flipsnack *fssim.Server
	// AlibabaURL and FlipsnackURL are the servers' roots: the Alibaba API is at the root, the
	// Flipsnack API under /v1/ (FlipsnackEndpoint), each inspection API under /_sim/.
	AlibabaURL, FlipsnackURL string

	servers serving
}

// FlipsnackEndpoint is the URL the operator's --flipsnack-endpoint takes: the API's root, as
// on the platform.
func (s *Simulators) FlipsnackEndpoint() string { return s.FlipsnackURL + "/v1/" }

// ManagerArgs are the operator's flags that send every platform's calls to its simulator:
// what a manager process takes, and what an in-process one parses
// (controllers.ParsePlatformFlags).
func (s *Simulators) ManagerArgs() []string {
	return []string{"--alibaba-endpoint=" + s.AlibabaURL, "--flipsnack-endpoint=" + s.FlipsnackEndpoint()}
}

// ManagerArgsTimingOut are ManagerArgs with every platform's calls timing out after timeout:
// what a test's in-process operator takes, to wait less for a lost answer.
func (s *Simulators) ManagerArgsTimingOut(timeout time.Duration) []string {
	return append(s.ManagerArgs(), "--alibaba-timeout="+timeout.String(), "--flipsnack-timeout="+timeout.String())
}

// ClearFaults takes every fault out of every simulator.
func (s *Simulators) ClearFaults() {
	s.Alibaba.ClearFaults()
	s.Flipsnack.ClearFaults()
}

// StartSimulators serves every platform's simulator as opts configure it. Close stops them.
func StartSimulators(opts SimulatorOptions) (*Simulators, error) {
	s := &Simulators{Alibaba: alibabaiot.New(opts.Alibaba), Flipsnack: fssim.New(opts.Flipsnack)}
	var err error
	if s.AlibabaURL, err = s.servers.serve("Alibaba IoT simulator", opts.AlibabaAddr, s.Alibaba); err != nil {
		s.Close()
		return nil, err
	}
	if s.FlipsnackURL, err = s.servers.serve("Flipsnack simulator", opts.FlipsnackAddr, s.Flipsnack); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close stops every simulator, waiting up to five seconds for calls under way.
func (s *Simulators) Close() { s.servers.close() }
