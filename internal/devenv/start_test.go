package devenv

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeOptions pass validation without real binaries: every check under test fails before
// anything would be run.
func fakeOptions(t *testing.T) Options {
	dir := t.TempDir()
	assets := filepath.Join(dir, "assets")
	must(t, os.MkdirAll(assets, 0o755))
	for _, name := range []string{"etcd", "kube-apiserver", "kube-controller-manager", "manager"} {
		must(t, os.WriteFile(filepath.Join(assets, name), nil, 0o755))
	}
	return Options{
		StateDir:      filepath.Join(dir, "state"),
		AssetsDir:     assets,
		CRDDir:        dir,
		ManagerBinary: filepath.Join(assets, "manager"),
		APIServerAddr: AnyFreePort, AlibabaAddr: AnyFreePort, FlipsnackAddr: AnyFreePort,
		MetricsAddr: AnyFreePort, ProbeAddr: AnyFreePort,
		Credentials: DemoCredentials,
	}
}

func TestStartRefusesAddressesOtherMachinesCouldReach(t *testing.T) {
	opts := fakeOptions(t)
	opts.APIServerAddr = "0.0.0.0:18443"
	_, err := Start(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "API server address") || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("Start with the API server on 0.0.0.0: got %v, want an error saying it must be loopback", err)
	}
}

func TestStartNamesAPortAlreadyInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer taken.Close()
	opts := fakeOptions(t)
	opts.APIServerAddr = taken.Addr().String()
	_, err = Start(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), taken.Addr().String()) || !strings.Contains(err.Error(), "not free") {
		t.Fatalf("Start with a port in use: got %v, want an error naming %s", err, taken.Addr())
	}
}

func TestStartRefusesAStateDirectoryAnotherEnvironmentUses(t *testing.T) {
	opts := fakeOptions(t)
	running, err := lockStateDir(opts.StateDir)
	must(t, err)
	defer running.Close()
	must(t, os.MkdirAll(filepath.Join(opts.StateDir, "etcd"), 0o755))

	_, err = Start(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "in use by another running environment") {
		t.Fatalf("Start on a state directory in use: got %v, want an error saying so", err)
	}
	if _, err := os.Stat(filepath.Join(opts.StateDir, "etcd")); err != nil {
		t.Errorf("the running environment's etcd data was touched: %v", err)
	}
}

func TestStartNamesMissingBinaries(t *testing.T) {
	opts := fakeOptions(t)
	must(t, os.Remove(filepath.Join(opts.AssetsDir, "kube-controller-manager")))
	_, err := Start(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "kube-controller-manager") || !strings.Contains(err.Error(), "make envtest") {
		t.Fatalf("Start without kube-controller-manager: got %v, want an error saying to run make envtest", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
