package prodlifetest_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/pkg/prodlifetest"
)

// However a downstream suite run through Main ends, a test's panic or `go test`'s -timeout,
// no etcd or kube-apiserver it started is left running; and a manager that ran over 30 s
// printed no stack trace the suite did not ask for (controller-runtime's warning of a global
// logger never set).
func TestNoProcessOutlivesASuiteThatPanicsOrTimesOut(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the parent-death signal that ends them is Linux's")
	}
	for _, tc := range []struct {
		name, run string
		args      []string
		want      string
	}{
		{"panic", "^TestChildPanics$", nil, "panic: a test of the suite panics"},
		{"timeout", "^TestChildTimesOut$", []string{"-test.timeout=25s"}, "panic: test timed out"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			child := exec.Command(os.Args[0], append([]string{"-test.run=" + tc.run, "-test.v"}, tc.args...)...)
			child.Env = append(os.Environ(), childEnv+"="+dir)
			var out bytes.Buffer
			child.Stdout, child.Stderr = &out, &out
			err := child.Run()
			if err == nil || !strings.Contains(out.String(), tc.want) {
				t.Fatalf("the suite ended with %v, want %q; it printed:\n%s", err, tc.want, out.String())
			}
			if strings.Contains(out.String(), "log.SetLogger(...) was never called") {
				t.Errorf("the suite printed controller-runtime's logger warning:\n%s", out.String())
			}
			raw, err := os.ReadFile(filepath.Join(dir, "pids"))
			if err != nil {
				t.Fatalf("the suite wrote no pids: %v\n%s", err, out.String())
			}
			pids := strings.Fields(string(raw))
			if len(pids) < 2 {
				t.Fatalf("the suite's children were %q; want etcd and kube-apiserver at least", pids)
			}
			deadline := time.Now().Add(10 * time.Second)
			for _, p := range pids {
				pid, _ := strconv.Atoi(p)
				for syscall.Kill(pid, 0) == nil {
					if time.Now().After(deadline) {
						t.Errorf("process %d (%s) outlived the suite", pid, comm(pid))
						_ = syscall.Kill(pid, syscall.SIGKILL)
						break
					}
					time.Sleep(100 * time.Millisecond)
				}
			}
		})
	}
}

// TestChildPanics is a test of the child suite: a product made Ready, then, after the 30 s
// that controller-runtime gives a program to set its logger, a panic.
func TestChildPanics(t *testing.T) {
	dir := childDir(t)
	env := prodlifetest.Start(t, prodlifetest.Options{})
	readyProduct(t, env)
	writeChildren(t, dir)
	time.Sleep(32 * time.Second)
	panic("a test of the suite panics")
}

// TestChildTimesOut is a test of the child suite that runs past the suite's -timeout.
func TestChildTimesOut(t *testing.T) {
	dir := childDir(t)
	env := prodlifetest.Start(t, prodlifetest.Options{})
	readyProduct(t, env)
	writeChildren(t, dir)
	time.Sleep(time.Minute)
}

func childDir(t *testing.T) string {
	dir := os.Getenv(childEnv)
	if dir == "" {
		t.Skip("a test of the child suite of TestNoProcessOutlivesASuiteThatPanicsOrTimesOut")
	}
	return dir
}

// readyProduct creates the IoTProduct sensor in the test's namespace and waits until it is
// Ready.
func readyProduct(t testing.TB, env *prodlifetest.Env) {
	t.Helper()
	p := &v1alpha1.IoTProduct{
		ObjectMeta: metav1.ObjectMeta{Namespace: env.Namespace, Name: "sensor"},
		Spec: v1alpha1.IoTProductSpec{ProductName: "sensor", Region: "cn-shanghai",
			CredentialsSecretRef: &v1alpha1.SecretReference{Name: prodlifetest.AlibabaSecretName}},
	}
	if err := env.Client.Create(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	env.WaitForCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionTrue)
}

// writeChildren writes the pids of this process's children (etcd and kube-apiserver) to
// dir/pids.
func writeChildren(t *testing.T, dir string) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	self := strconv.Itoa(os.Getpid())
	var pids []string
	for _, e := range entries {
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after its closing ')'.
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) > 1 && fields[1] == self {
			pids = append(pids, e.Name())
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "pids"), []byte(strings.Join(pids, " ")), 0o644); err != nil {
		t.Fatal(err)
	}
}

func comm(pid int) string {
	raw, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	return strings.TrimSpace(string(raw))
}
