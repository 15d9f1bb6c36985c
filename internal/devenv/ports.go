package devenv

import (
	"fmt"
	"net"
)

// resolvePort turns port 0 into a free port and checks that a fixed port is free, so a port
// in use fails at once, by name, rather than as a process that never comes up. The port is
// released again for the process that will serve it; another program could take it in
// between, which the process's own start then reports.
func resolvePort(addr string) (string, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("%s is not free (is another `make dev` running?): %w", addr, err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}
