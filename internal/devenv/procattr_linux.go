package devenv

import "syscall"

// childProcAttr is how the environment starts its own processes. Setpgid keeps a terminal's
// Ctrl-C (sent to the foreground process group) away from them, so the environment can stop
// them in order; Pdeathsig makes the kernel kill them when the environment dies without
// stopping them. The kernel sends that signal when the starting thread ends; Go ends a thread
// only when a goroutine that locked it returns, which the programs running an Env never do.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
