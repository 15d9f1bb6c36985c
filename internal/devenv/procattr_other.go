//go:build unix && !linux

package devenv

import "syscall"

// childProcAttr keeps a terminal's Ctrl-C away from the environment's processes, so it can
// stop them in order. Only Linux has a parent-death signal: elsewhere they outlive an
// environment that is killed outright.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
