package bench

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The manager runs with --pprof-bind-address on a loopback port of the benchmark's: the
// profiles it keeps (next to the report, named in it) show where the memory and the CPU went,
// and `go tool pprof -diff_base` compares two runs.

// hasFlag says whether the manager binary knows the flag (a baseline build may be older).
func hasFlag(manager, name string) bool {
	out, _ := exec.Command(manager, "--help").CombinedOutput()
	return strings.Contains(string(out), "-"+name+" ")
}

// freeLoopbackAddr is a loopback address with a port free right now.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// heapProfile saves the manager's heap profile (after a collection, so it shows what is
// held) and returns its top 10 by bytes in use, as a report section.
func (b *bench) heapProfile(t *testing.T, name string) string {
	if b.pprofAddr == "" {
		return "" // a baseline build without profiling
	}
	path, err := b.fetchProfile("heap?gc=1", name, 30*time.Second)
	if err != nil {
		t.Errorf("heap profile: %v", err)
		return ""
	}
	return profileSection("Heap in use (top 10)", path, "-sample_index=inuse_space")
}

// cpuProfile saves a CPU profile of the manager over d and returns its top 10.
func (b *bench) cpuProfile(t *testing.T, name string, d time.Duration) string {
	if b.pprofAddr == "" {
		return ""
	}
	path, err := b.fetchProfile(fmt.Sprintf("profile?seconds=%d", int(d.Seconds())), name, d+30*time.Second)
	if err != nil {
		t.Errorf("CPU profile: %v", err)
		return ""
	}
	return profileSection(fmt.Sprintf("CPU over %s (top 10)", d), path)
}

func (b *bench) fetchProfile(query, name string, timeout time.Duration) (string, error) {
	c := http.Client{Timeout: timeout}
	resp, err := c.Get("http://" + b.pprofAddr + "/debug/pprof/" + query)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET /debug/pprof/%s: %s", query, resp.Status)
	}
	path := filepath.Join(filepath.Dir(b.cfg.report), name+".pb.gz")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return "", err
	}
	return path, f.Close()
}

// profileSection is `go tool pprof -top -nodecount=10` of the profile at path.
func profileSection(title, path string, args ...string) string {
	cmd := exec.Command("go", append(append([]string{"tool", "pprof", "-top", "-nodecount=10"}, args...), path)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		out = append(out, []byte("\n"+err.Error())...)
	}
	return fmt.Sprintf("### %s: `%s`\n\n```\n%s```\n\n", title, filepath.Base(path), out)
}

// liveHeap is the bytes of the manager's heap objects right after a collection (the heap
// profile's gc=1 forces one): what the objects it holds cost, without the garbage a
// collection would free.
func (b *bench) liveHeap(t *testing.T) float64 {
	if b.pprofAddr == "" {
		return 0 // a baseline build without profiling: no collection can be forced
	}
	c := http.Client{Timeout: 30 * time.Second}
	resp, err := c.Get("http://" + b.pprofAddr + "/debug/pprof/heap?gc=1")
	if err != nil {
		t.Errorf("forcing a collection: %v", err)
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	v, err := metricValue(b.env.ManagerMetricsURL(), "go_memstats_heap_alloc_bytes")
	if err != nil {
		t.Errorf("live heap: %v", err)
	}
	return v
}

// metricValue is the value of an unlabelled series on a Prometheus endpoint.
func metricValue(metricsURL, name string) (float64, error) {
	resp, err := http.Get(metricsURL)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("%s: no series %s", metricsURL, name)
}
