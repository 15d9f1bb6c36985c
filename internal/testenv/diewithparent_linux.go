package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
)

// envtest starts etcd and kube-apiserver itself and sets no parent-death signal. To give them
// one, the environment points envtest at a small script that runs this very program again
// with these two variables; HandleReexec, seeing them, arms the signal and becomes the
// real binary, keeping its pid, its process group and envtest's way of stopping it.
const (
	reexecBinaryEnv = "PRODLIFE_TESTENV_EXEC"   // the binary to become
	reexecParentEnv = "PRODLIFE_TESTENV_PARENT" // the pid whose death must end it
)

var reexecHandled atomic.Bool

// HandleReexec must be the first call of main (and of TestMain) in a program that starts an
// Env. In a process started as the wrapper of etcd or kube-apiserver it never returns: it
// becomes that binary, set to die with the environment. Anywhere else it returns at once
// and lets the Envs this program starts use the wrapper; without this call they run etcd
// and kube-apiserver directly, which then outlive a killed environment.
func HandleReexec() {
	binary := os.Getenv(reexecBinaryEnv)
	if binary == "" {
		reexecHandled.Store(true)
		return
	}
	// The signal is a property of the calling thread, and exec keeps the calling thread:
	// both must happen on the same one.
	runtime.LockOSThread()
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0); errno != 0 {
		fmt.Fprintf(os.Stderr, "testenv: setting the parent-death signal: %v\n", errno)
		os.Exit(126)
	}
	// The environment may have died before the signal was armed; then nobody would send it.
	if strconv.Itoa(os.Getppid()) != os.Getenv(reexecParentEnv) {
		os.Exit(1)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, reexecBinaryEnv+"=") && !strings.HasPrefix(kv, reexecParentEnv+"=") {
			env = append(env, kv)
		}
	}
	err := syscall.Exec(binary, append([]string{binary}, os.Args[1:]...), env)
	fmt.Fprintf(os.Stderr, "testenv: running %s: %v\n", binary, err)
	os.Exit(127)
}

// DieWithParent returns what to give envtest instead of binary: a wrapper script in dir that
// starts binary through HandleReexec, or binary itself when this program does not call
// HandleReexec.
func DieWithParent(binary, dir string) (string, error) {
	if !reexecHandled.Load() {
		return binary, nil
	}
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	script := fmt.Sprintf("#!/bin/sh\n# %s, set to die with the program that started it (internal/testenv).\n%s=%s %s=%d exec %s \"$@\"\n",
		filepath.Base(binary), reexecBinaryEnv, shellQuote(binary), reexecParentEnv, os.Getpid(), shellQuote(self))
	path := filepath.Join(dir, filepath.Base(binary))
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		return "", err
	}
	return path, nil
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
