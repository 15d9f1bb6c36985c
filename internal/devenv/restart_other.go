//go:build !linux

package devenv

import (
	"context"
	"errors"
	"time"
)

// RestartControlPlane needs /proc to find etcd and kube-apiserver: Linux only.
func (e *Env) RestartControlPlane(context.Context, time.Duration) error {
	return errors.New("restarting the control plane is supported on Linux only")
}
