//go:build !linux

package testenv

// HandleReexec does nothing where there is no parent-death signal to arm.
func HandleReexec() {}

// DieWithParent returns binary: only Linux has a parent-death signal.
func DieWithParent(binary, dir string) (string, error) { return binary, nil }
