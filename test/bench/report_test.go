package bench

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// report collects the Markdown written to cfg.report, section by section, so a run that fails
// half-way still leaves what it measured.
type report struct {
	cfg         config
	started     time.Time
	managerArgs []string
	manager     string // BENCH_MANAGER_BINARY, when the manager was not built from this tree
	sections    []string
}

func newReport(cfg config) *report { return &report{cfg: cfg, started: time.Now()} }

// add appends a section and writes the report at once, so a run stopped by a timeout keeps
// every section it finished.
func (r *report) add(format string, args ...any) error {
	r.sections = append(r.sections, fmt.Sprintf(format, args...))
	return r.write()
}

func (r *report) write() error {
	var sb strings.Builder
	commit, _ := exec.Command("git", "-C", testenv.RepoRoot(), "rev-parse", "--short", "HEAD").Output()
	fmt.Fprintf(&sb, "# Scale benchmark (test/bench)\n\n")
	fmt.Fprintf(&sb, "- started %s, took %s; commit %s (plus uncommitted changes, if any)\n", r.started.Format(time.RFC3339), time.Since(r.started).Round(time.Second), strings.TrimSpace(string(commit)))
	fmt.Fprintf(&sb, "- machine: %d CPUs, %s/%s, %s; load at start %s, at end %s\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), loadAtStart, loadAverage())
	fmt.Fprintf(&sb, "- sizes: BENCH_IOT_SIZES=%v BENCH_FEEDS=%d BENCH_FEED_SKUS=%d BENCH_FLIPSNACK_ACCOUNTS=%d BENCH_HOLD_SIZES=%v BENCH_HOLD_FEEDS=%d BENCH_IDLE_SYNC_PERIOD=%s BENCH_IDLE_WINDOW=%s\n",
		r.cfg.iotSizes, r.cfg.feeds, r.cfg.feedSKUs, r.cfg.accounts, r.cfg.holdSizes, r.cfg.holdFeeds, r.cfg.idleSync, r.cfg.idleWindow)
	fmt.Fprintf(&sb, "- manager flags beyond the environment's: %s\n", strings.Join(r.managerArgs, " "))
	if r.manager != "" {
		fmt.Fprintf(&sb, "- manager binary: %s (BENCH_MANAGER_BINARY), not built from this tree\n", r.manager)
	}
	fmt.Fprintf(&sb, "- simulators: documented rate limits (IoT per account and action, Flipsnack 5/s and 60/min per apiKey, 500 SKUs per call); IoT product quota off\n\n")
	for _, s := range r.sections {
		sb.WriteString(s)
		sb.WriteString("\n")
	}
	if err := os.MkdirAll(filepath.Dir(r.cfg.report), 0o755); err != nil {
		return err
	}
	return os.WriteFile(r.cfg.report, []byte(sb.String()), 0o644)
}

var loadAtStart = loadAverage()

// loadAverage is /proc/loadavg's 1, 5 and 15 minute averages: the machine is shared, so every
// number is read against it.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

func ratio(a, b time.Duration) string {
	if b <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f×", a.Seconds()/b.Seconds())
}

// procStats is what /proc says about one process.
type procStats struct {
	hwmKB, rssKB int64         // VmHWM (peak resident set) and VmRSS
	anonKB       int64         // RssAnon: the part of VmRSS that is the process's own memory
	fileKB       int64         // RssFile: the part that is the binary's (and libraries') pages
	cpu          time.Duration // utime + stime
}

// readProc reads /proc/<pid>/status and /proc/<pid>/stat (clock ticks of 1/100 s, the value
// of USER_HZ on Linux).
func readProc(pid int) (procStats, error) {
	var s procStats
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		fields := strings.Fields(v)
		if len(fields) == 0 {
			continue
		}
		switch k {
		case "VmHWM":
			s.hwmKB, _ = strconv.ParseInt(fields[0], 10, 64)
		case "VmRSS":
			s.rssKB, _ = strconv.ParseInt(fields[0], 10, 64)
		case "RssAnon":
			s.anonKB, _ = strconv.ParseInt(fields[0], 10, 64)
		case "RssFile":
			s.fileKB, _ = strconv.ParseInt(fields[0], 10, 64)
		}
	}
	_, _, s.cpu, err = readStat(strconv.Itoa(pid))
	return s, err
}

// apiRequests sums the manager's rest_client_requests_total by method (GET, PATCH, ...).
func apiRequests(metricsURL string) (map[string]float64, error) {
	resp, err := http.Get(metricsURL)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "rest_client_requests_total{") {
			continue
		}
		labels, value, _ := strings.Cut(strings.TrimPrefix(line, "rest_client_requests_total{"), "} ")
		n, _ := strconv.ParseFloat(strings.TrimSpace(value), 64)
		for _, l := range strings.Split(labels, ",") {
			if m, ok := strings.CutPrefix(l, `method="`); ok {
				out[strings.TrimSuffix(m, `"`)] += n
			}
		}
	}
	return out, sc.Err()
}

// delta is after minus before, per method, as "GET 12, PATCH 3".
func delta(before, after map[string]float64) (string, float64) {
	var parts []string
	total := 0.0
	for _, m := range []string{"GET", "LIST", "WATCH", "POST", "PUT", "PATCH", "DELETE"} {
		if d := after[m] - before[m]; d > 0 {
			parts = append(parts, fmt.Sprintf("%s %.0f", m, d))
			total += d
		}
	}
	if len(parts) == 0 {
		return "none", 0
	}
	return strings.Join(parts, ", "), total
}
