package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/prodlife/product-lifecycle-operator/internal/devenv"
	"github.com/prodlife/product-lifecycle-operator/internal/devenv/devenvtest"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// The manager runs with short retry periods, so that a stalled or failed deletion is tried
// again within the test rather than minutes later.
var managerArgs = []string{
	"--stalled-retry-period=2s",
	"--retry-base-delay=100ms",
	"--retry-max-delay=2s",
	"--default-credentials-namespaces=" + ownCredentialsNamespace,
}

// ownCredentialsNamespace is the one namespace whose resources may use the operator's own
// credentials, which the manager takes from its environment as in a pod.
const ownCredentialsNamespace = "e2e-platform-team"

// suite is what every test drives: one environment, started on first use and shared.
type suite struct {
	env       *devenv.Env
	kubectl   kubectl
	alibaba   alibabaPlatform
	flipsnack flipsnackPlatform
}

func (s *suite) Environment() *devenv.Env { return s.env }

var shared = devenvtest.Shared[*suite]{Name: "e2e", Start: start}

func TestMain(m *testing.M) { shared.Main(m) }

// environment returns the running suite, starting it for the first test that needs it.
func environment(t *testing.T) *suite { return shared.Get(t) }

func start(workDir string) (*suite, error) {
	kubectlPath, err := exec.LookPath("kubectl")
	if err != nil {
		return nil, fmt.Errorf("the end-to-end tests drive the machine's kubectl: %w", err)
	}
	// kubectl reads the samples, not this process: read them so go test's cache sees them.
	samples, err := filepath.Glob(filepath.Join(samplesDir(), "*"))
	if err != nil {
		return nil, err
	}
	if err := devenvtest.TrackFiles(samples...); err != nil {
		return nil, err
	}
	// The manager's own credentials, from its environment (the manager process inherits
	// this one's): the simulators' demo account, the one the namespaces' Secrets name too.
	os.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", devenv.DemoCredentials.AlibabaAccessKeyID)
	os.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", devenv.DemoCredentials.AlibabaAccessKeySecret)
	env, err := devenvtest.StartAsInstalled(workDir, managerArgs)
	if err != nil {
		return nil, err
	}
	return &suite{
		env:       env,
		kubectl:   kubectl{path: kubectlPath, kubeconfig: env.Kubeconfig},
		alibaba:   alibabaPlatform{devenvtest.Alibaba{URL: env.AlibabaURL}},
		flipsnack: flipsnackPlatform{devenvtest.Flipsnack{URL: env.FlipsnackURL}},
	}, nil
}

// namespace creates a namespace with the credentials Secrets the samples name.
func (s *suite) namespace(t *testing.T, name string) string {
	t.Helper()
	s.kubectl.run(t, "create", "namespace", name)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.env.CreateCredentials(ctx, name); err != nil {
		t.Fatal(err)
	}
	return name
}

func samplesDir() string { return filepath.Join(testenv.RepoRoot(), "config", "samples") }
