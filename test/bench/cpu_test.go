package bench

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A deletion's speed on this machine is bounded by the CPU every process spends on it, not
// only the manager's: kubectl, the API server, etcd and the manager share the same cores.
// cpuUse says where the CPU of one phase went, so a report can set the CPU a goal leaves per
// object (its time on all the cores) against what the phase spent.

// cpuUse is the CPU spent so far: by the whole machine (every core, every process) and by the
// processes a deletion runs through.
type cpuUse struct {
	machine    time.Duration // /proc/stat: time not idle, summed over the cores
	apiServer  time.Duration // kube-apiserver
	etcd       time.Duration
	namespaces time.Duration // kube-controller-manager (its namespace controller)
	manager    time.Duration
}

// The control plane's processes are this test's own children (internal/devenv starts them
// through wrappers that become the binaries, keeping their pids), named by the kernel's
// 15-character command name.
const (
	commAPIServer  = "kube-apiserver"
	commEtcd       = "etcd"
	commNamespaces = "kube-controller" // kube-controller-manager, cut to 15 characters
)

// cpuNow reads the CPU spent so far; the manager's counts only while one runs (the floors
// without a manager stop it).
func (b *bench) cpuNow(t *testing.T) cpuUse {
	t.Helper()
	var u cpuUse
	if b.env.ManagerPID() != 0 {
		u.manager = b.managerCPU(t)
	}
	var err error
	if u.machine, err = machineBusy(); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	self := strconv.Itoa(os.Getpid())
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		comm, ppid, cpu, err := readStat(e.Name())
		if err != nil || ppid != self {
			continue // gone since the listing, or not one of ours
		}
		switch comm {
		case commAPIServer:
			u.apiServer += cpu
		case commEtcd:
			u.etcd += cpu
		case commNamespaces:
			u.namespaces += cpu
		}
	}
	return u
}

// since is the CPU spent between an earlier reading and u.
func (u cpuUse) since(earlier cpuUse) cpuUse {
	return cpuUse{
		machine:    u.machine - earlier.machine,
		apiServer:  u.apiServer - earlier.apiServer,
		etcd:       u.etcd - earlier.etcd,
		namespaces: u.namespaces - earlier.namespaces,
		manager:    u.manager - earlier.manager,
	}
}

// perObject says, in milliseconds per object, what the machine and each process spent.
func (u cpuUse) perObject(n int) string {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000/float64(n)) }
	s := fmt.Sprintf("%s ms (API server %s, etcd %s", ms(u.machine), ms(u.apiServer), ms(u.etcd))
	if u.namespaces > 0 {
		s += ", namespace controller " + ms(u.namespaces)
	}
	return s + ", manager " + ms(u.manager) + ")"
}

// budgetPerObject is the CPU a goal of `took` for n objects leaves each object when every
// core of the machine works on them all that time.
func budgetPerObject(took time.Duration, n int) time.Duration {
	return took * time.Duration(runtime.NumCPU()) / time.Duration(n)
}

// machineBusy sums the first line of /proc/stat (clock ticks of 1/100 s over all cores)
// without idle and iowait.
func machineBusy() (time.Duration, error) {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0, fmt.Errorf("/proc/stat: unexpected first line %q", line)
	}
	var busy int64
	for i, v := range f[1:] {
		if i == 3 || i == 4 || i >= 8 { // idle, iowait; guest time is already in user
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/stat: %w", err)
		}
		busy += n
	}
	return time.Duration(busy) * 10 * time.Millisecond, nil
}

// readStat reads a process's command name, parent pid and CPU (utime + stime) from
// /proc/<pid>/stat.
func readStat(pid string) (comm, ppid string, cpu time.Duration, err error) {
	raw, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return "", "", 0, err
	}
	s := string(raw)
	open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || closing < open {
		return "", "", 0, fmt.Errorf("/proc/%s/stat: no command name", pid)
	}
	// After the command name, from the 3rd field: ppid is the 4th, utime the 14th, stime the 15th.
	fields := strings.Fields(s[closing+1:])
	if len(fields) < 13 {
		return "", "", 0, fmt.Errorf("/proc/%s/stat: too few fields", pid)
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return s[open+1 : closing], fields[1], time.Duration(utime+stime) * 10 * time.Millisecond, nil
}
