package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prodlife/product-lifecycle-operator/internal/devenv"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// The manager runs with short retry periods, so that a stalled or failed deletion is tried
// again within the test rather than minutes later.
var managerArgs = []string{
	"--stalled-retry-period=2s",
	"--retry-base-delay=100ms",
	"--retry-max-delay=2s",
}

// suite is what every test drives: one environment, started on first use and shared.
type suite struct {
	env       *devenv.Env
	kubectl   kubectl
	alibaba   alibabaPlatform
	flipsnack flipsnackPlatform
}

var (
	shared    *suite
	sharedErr error
	startOnce sync.Once
	workDir   string
)

func TestMain(m *testing.M) {
	devenv.HandleReexec()
	code := m.Run()
	if shared != nil {
		if err := shared.env.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping the environment:", err)
			code = 1
		}
	}
	switch {
	case workDir == "":
	case code != 0:
		// The logs of the manager, the simulators and the control plane say what went wrong.
		fmt.Fprintln(os.Stderr, "e2e: the environment's logs are kept in", filepath.Join(workDir, "env", "logs"))
	default:
		_ = os.RemoveAll(workDir)
	}
	os.Exit(code)
}

// environment returns the running suite, starting it for the first test that needs it.
func environment(t *testing.T) *suite {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: skipped with -short")
	}
	startOnce.Do(func() { shared, sharedErr = start() })
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	if err := shared.env.Exited(); err != nil {
		t.Fatal(err)
	}
	return shared
}

func start() (*suite, error) {
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		return nil, fmt.Errorf("KUBEBUILDER_ASSETS is not set: run the tests with `make test`, which builds etcd, kube-apiserver and kube-controller-manager under bin/k8s")
	}
	kubectlPath, err := exec.LookPath("kubectl")
	if err != nil {
		return nil, fmt.Errorf("the end-to-end tests drive the machine's kubectl: %w", err)
	}
	if workDir, err = os.MkdirTemp("", "prodlife-e2e-"); err != nil {
		return nil, err
	}
	manager, err := buildManager(workDir)
	if err != nil {
		return nil, err
	}
	root := testenv.RepoRoot()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	env, err := devenv.Start(ctx, devenv.Options{
		StateDir:      filepath.Join(workDir, "env"),
		AssetsDir:     assets,
		CRDDir:        filepath.Join(root, "config", "crd", "bases"),
		ManagerBinary: manager,
		ManagerArgs:   managerArgs,
		APIServerAddr: devenv.AnyFreePort,
		AlibabaAddr:   devenv.AnyFreePort,
		FlipsnackAddr: devenv.AnyFreePort,
		MetricsAddr:   devenv.AnyFreePort,
		ProbeAddr:     devenv.AnyFreePort,
		Credentials:   devenv.DemoCredentials,
	})
	if err != nil {
		return nil, err
	}
	return &suite{
		env:       env,
		kubectl:   kubectl{path: kubectlPath, kubeconfig: env.Kubeconfig},
		alibaba:   alibabaPlatform{url: env.AlibabaURL},
		flipsnack: flipsnackPlatform{url: env.FlipsnackURL},
	}, nil
}

// buildManager builds the manager from this tree, as `make build` does.
func buildManager(dir string) (string, error) {
	binary := filepath.Join(dir, "manager")
	cmd := exec.Command("go", "build", "-o", binary, ".")
	cmd.Dir = testenv.RepoRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the manager: %w\n%s", err, out)
	}
	return binary, trackInputs()
}

// trackInputs reads the files that only subprocesses read (the manager's sources, read by go
// build; the samples, read by kubectl). go test caches a passing result until a file the test
// process itself opened changes; without this, a changed controller would leave a cached
// PASS of a suite that never ran against it.
func trackInputs() error {
	cmd := exec.Command("go", "list", "-deps", "-f",
		`{{if and .Module .Module.Main}}{{range .GoFiles}}{{$.Dir}}/{{.}}{{"\n"}}{{end}}{{end}}`, ".")
	cmd.Dir = testenv.RepoRoot()
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("listing the manager's sources: %w", err)
	}
	files := strings.Fields(string(out))
	samples, err := filepath.Glob(filepath.Join(samplesDir(), "*"))
	if err != nil {
		return err
	}
	for _, f := range append(files, samples...) {
		if _, err := os.ReadFile(f); err != nil {
			return err
		}
	}
	return nil
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
