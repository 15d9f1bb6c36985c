package devenv

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// ownerProcessEnv makes the test binary play a program that owns an environment (see
// runOwnerProcess); its value is the directory to work in.
const ownerProcessEnv = "DEVENV_TEST_OWNER_DIR"

// runOwnerProcess starts one long process the way the environment starts its own and one the
// way envtest starts etcd and kube-apiserver (through testenv.DieWithParent's wrapper, in a process
// group of its own), prints both pids, and waits to be killed.
func runOwnerProcess(dir string) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		panic(err)
	}
	own, err := startChild("sleep", filepath.Join(dir, "own.log"), sleep, "300")
	if err != nil {
		panic(err)
	}
	wrapper, err := testenv.DieWithParent(sleep, dir)
	if err != nil {
		panic(err)
	}
	likeEnvtest := exec.Command(wrapper, "300")
	likeEnvtest.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := likeEnvtest.Start(); err != nil {
		panic(err)
	}
	fmt.Println(own.cmd.Process.Pid, likeEnvtest.Process.Pid)
	time.Sleep(time.Hour)
}

func TestProcessesDieWithAnEnvironmentThatIsKilledOutright(t *testing.T) {
	owner := exec.Command(os.Args[0], "-test.run=^$")
	owner.Env = append(os.Environ(), ownerProcessEnv+"="+t.TempDir())
	out, err := owner.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.Start(); err != nil {
		t.Fatal(err)
	}
	var ownPid, envtestPid int
	line, err := bufio.NewReader(out).ReadString('\n')
	if _, scanErr := fmt.Sscan(line, &ownPid, &envtestPid); err != nil || scanErr != nil {
		_ = owner.Process.Kill()
		t.Fatalf("the owner process printed %q (%v, %v)", line, err, scanErr)
	}
	for _, pid := range []int{ownPid, envtestPid} {
		t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	}
	// The wrapper must have become the real program, keeping its pid.
	waitFor(t, "the wrapped process to run sleep", func() bool { return commandOf(envtestPid) == "sleep" })

	_ = owner.Process.Kill() // SIGKILL: no cleanup code of the owner runs
	_ = owner.Wait()

	for name, pid := range map[string]int{"own child": ownPid, "envtest-style child": envtestPid} {
		waitFor(t, fmt.Sprintf("the %s (pid %d) to die with its owner", name, pid), func() bool { return !alive(pid) })
	}
}

// alive is false for a process that is gone or a zombie (dead, waiting to be reaped).
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z"
}

func commandOf(pid int) string {
	comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	return strings.TrimSpace(string(comm))
}

// waitFor bounds how long the kernel may take, generously: this checks that it happens,
// not how fast.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
