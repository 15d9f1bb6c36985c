package devenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"k8s.io/client-go/rest"
)

// RestartControlPlane kills etcd and kube-apiserver outright (SIGKILL, as a node losing
// power would) and starts them again with the same command lines: the same data directory,
// certificates and ports, so every client (the manager, the namespace controller, the
// admin) finds the same API server once it is back. It returns once the API server answers
// /readyz again. down is how long both stay dead before they are started again.
func (e *Env) RestartControlPlane(ctx context.Context, down time.Duration) error {
	var plane []process
	for _, name := range []string{"kube-apiserver", "etcd"} { // the API server first: it needs etcd
		p, err := e.findPlaneProcess(name)
		if err != nil {
			return err
		}
		plane = append(plane, p)
	}
	for _, p := range plane {
		if err := p.kill(); err != nil {
			return err
		}
	}
	select {
	case <-time.After(down):
	case <-ctx.Done():
		return ctx.Err()
	}
	e.planeRuns++
	for i := len(plane) - 1; i >= 0; i-- { // etcd first
		p := plane[i]
		log := filepath.Join(e.opts.LogDir(), fmt.Sprintf("%s-%d.log", p.name, e.planeRuns))
		c, err := startChild(p.name, log, p.argv[0], p.argv[1:]...)
		if err != nil {
			return err
		}
		e.replacePlane(c)
	}
	return waitAPIServerReady(ctx, e.Config, e.opts.LogDir())
}

// process is one running process of the control plane.
type process struct {
	name string
	pid  int
	argv []string
}

// findPlaneProcess finds the running etcd or kube-apiserver of this environment: a child of
// this process, or one it started after a restart, running the binary of that name.
func (e *Env) findPlaneProcess(name string) (process, error) {
	for _, c := range e.plane {
		if c.name == name && c.exited() == nil {
			return process{name: name, pid: c.cmd.Process.Pid, argv: c.cmd.Args}, nil
		}
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return process{}, err
	}
	for _, entry := range entries {
		pid, err := strconv.Atoi(entry.Name())
		if err != nil {
			continue
		}
		raw, err := os.ReadFile(filepath.Join("/proc", entry.Name(), "cmdline"))
		if err != nil || len(raw) == 0 {
			continue
		}
		argv := strings.Split(strings.TrimRight(string(raw), "\x00"), "\x00")
		if filepath.Base(argv[0]) != name || !bytes.Contains(raw, []byte(e.opts.StateDir)) || parentOf(pid) != os.Getpid() {
			continue
		}
		return process{name: name, pid: pid, argv: argv}, nil
	}
	return process{}, fmt.Errorf("no %s of the environment in %s is running", name, e.opts.StateDir)
}

// parentOf reads the parent pid of pid (0 when it cannot be read).
func parentOf(pid int) int {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0
	}
	// "pid (comm) state ppid ...": comm may hold spaces, so read after its last ")".
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(fields) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(fields[1])
	return ppid
}

// kill sends SIGKILL and waits until the process is gone (reaped by whoever started it).
func (p process) kill() error {
	if err := syscall.Kill(p.pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("killing %s (pid %d): %w", p.name, p.pid, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(p.pid))); errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if state, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p.pid), "stat")); bytes.Contains(state, []byte(") Z ")) {
			time.Sleep(50 * time.Millisecond) // a zombie until its parent reaps it: dead enough
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("%s (pid %d) did not die within 30 s of SIGKILL", p.name, p.pid)
}

// waitAPIServerReady polls the API server's /readyz until it answers 200.
func waitAPIServerReady(ctx context.Context, cfg *rest.Config, logDir string) error {
	transport, err := rest.TransportFor(cfg)
	if err != nil {
		return err
	}
	hc := &http.Client{Transport: transport, Timeout: 5 * time.Second}
	deadline := time.Now().Add(controlPlaneStartTimeout)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(cfg.Host, "/")+"/readyz", nil)
		if err != nil {
			return err
		}
		if resp, err := hc.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the API server did not become ready within %s of its restart (logs in %s)", controlPlaneStartTimeout, logDir)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// replacePlane puts c in the place of the process of its name that it replaces (killed on
// purpose, so no longer one Exited should report), etcd after the API server.
func (e *Env) replacePlane(c *child) {
	for i, old := range e.plane {
		if old.name == c.name {
			e.plane[i] = c
			return
		}
	}
	if c.name == "etcd" {
		e.plane = append(e.plane, c)
	} else {
		e.plane = append([]*child{c}, e.plane...)
	}
}
