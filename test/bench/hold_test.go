package bench

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// holdStage is what the manager measured at one size of the hold phase.
type holdStage struct {
	iot           int           // IoTProducts held at the end of the stage
	held, added   int           // objects held at the end of the stage (IoTProducts and feeds), and added by it
	ready         time.Duration // from the stage's first apply until all it added were Ready
	hwmKB, rssKB  int64         // peak and current resident set, after the stage settled
	anonKB        int64         // of the current resident set: the process's own memory
	fileKB        int64         // and the mapped pages of the binary
	heapInuse     float64       // bytes of heap objects after a collection (the live set)
	load          string        // the load average when the stage was read
	cpu           time.Duration // manager CPU from the stage's first apply until all Ready
	createPerCall float64       // manager API server requests per object added
}

// hold restarts the manager (fresh peak-memory and CPU counters) and makes it hold more and
// more objects, one stage per cfg.holdSizes: the IoTProducts up to that size (and, in the
// first stage, cfg.holdFeeds feeds). After each stage it reads the peak and current memory
// and the live heap, so the cost of each object held shows as a slope; the stage that reaches
// cfg.profileAt keeps a heap profile and, during its creation, a CPU profile.
func (b *bench) hold(ctx context.Context, t *testing.T) {
	if err := b.env.RestartManager(ctx); err != nil {
		t.Fatal(err)
	}
	pid := b.env.ManagerPID()
	b.namespace(ctx, t, holdNamespace)
	b.flipsnackSecrets(ctx, t, holdNamespace)

	var stages []holdStage
	var profiles []string
	held := 0
	for i, size := range b.cfg.holdSizes {
		if size <= held {
			t.Fatalf("BENCH_HOLD_SIZES must grow: %v", b.cfg.holdSizes)
		}
		objs := iotProducts(holdNamespace, held, size, "h", true)
		if i == 0 {
			objs = append(objs, b.feedObjects(t, holdNamespace, "held", b.cfg.holdFeeds, 3)...)
		}
		profiled := size >= b.cfg.profileAt && (i == 0 || b.cfg.holdSizes[i-1] < b.cfg.profileAt)
		var cpuProfile chan string
		if profiled {
			cpuProfile = make(chan string, 1)
			go func() { cpuProfile <- b.cpuProfile(t, fmt.Sprintf("cpu-create-%d", size), 30*time.Second) }()
		}
		before, err := readProc(pid)
		if err != nil {
			t.Fatal(err)
		}
		api := b.apiSnapshot(t)
		start := time.Now()
		b.applyAll(ctx, t, objs)
		b.waitReady(ctx, t, holdNamespace, false, size, timeoutFor(size-held))
		ready := b.waitReady(ctx, t, holdNamespace, true, b.cfg.holdFeeds, timeoutFor(b.cfg.holdFeeds*12/len(b.flipKeys)))
		after, err := readProc(pid)
		if err != nil {
			t.Fatal(err)
		}
		_, requests := delta(api, b.apiSnapshot(t))
		added := len(objs)
		// The events of the stage's creates, and its garbage, settle before the memory is read.
		time.Sleep(b.cfg.settle)
		settled, err := readProc(pid)
		if err != nil {
			t.Fatal(err)
		}
		st := holdStage{iot: size, held: size + b.cfg.holdFeeds, added: added, ready: ready.Sub(start), hwmKB: settled.hwmKB, rssKB: settled.rssKB, anonKB: settled.anonKB, fileKB: settled.fileKB,
			heapInuse: b.liveHeap(t), load: loadAverage(), cpu: after.cpu - before.cpu, createPerCall: requests / float64(added)}
		stages = append(stages, st)
		if profiled {
			profiles = append(profiles, <-cpuProfile, b.heapProfile(t, fmt.Sprintf("heap-%d", size)))
		}
		t.Logf("hold %d: HWM %d kB, RSS %d kB, live heap %.1f MiB, CPU %s", size, st.hwmKB, st.rssKB, st.heapInuse/(1<<20), st.cpu)
		held = size
	}

	const rest = time.Minute
	b.alibaba.ClearCalls()
	before, err := readProc(pid)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(rest)
	rested, err := readProc(pid)
	if err != nil {
		t.Fatal(err)
	}
	b.holdReport(t, stages, rested.cpu-before.cpu, rest, len(b.alibaba.Calls("")), profiles)
}

// holdReport writes the stages as a table with the cost of each object held between two
// stages, the minute at rest after the last one, and the profiles.
func (b *bench) holdReport(t *testing.T, stages []holdStage, restCPU, rest time.Duration, restCalls int, profiles []string) {
	var sb strings.Builder
	fmt.Fprintf(&sb, "## Manager holding more and more IoTProducts, with %d feeds (3 SKUs each): fresh process, default flags\n\n", b.cfg.holdFeeds)
	fmt.Fprintf(&sb, "Each stage adds IoTProducts to those held and waits until all are Ready; memory is read %s later. "+
		"Slope = the growth from the previous stage / the objects added (the first stage: from a manager holding nothing).\n\n", b.cfg.settle)
	sb.WriteString("| objects held | added | all Ready after | peak RSS (VmHWM) | RSS (own memory + the binary's mapped pages) | live heap | slope of peak RSS | slope of live heap | CPU per object added | API server requests per object added | load |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
	var prev holdStage
	for _, s := range stages {
		fmt.Fprintf(&sb, "| %d | %d | %s | %.0f MiB | %.0f MiB (%.0f + %.0f) | %.1f MiB | %.1f KiB | %.1f KiB | %.1f ms | %.1f | %s |\n",
			s.held, s.added, secs(s.ready), float64(s.hwmKB)/1024, float64(s.rssKB)/1024, float64(s.anonKB)/1024, float64(s.fileKB)/1024, s.heapInuse/(1<<20),
			float64(s.hwmKB-prev.hwmKB)/float64(s.added), (s.heapInuse-prev.heapInuse)/1024/float64(s.added),
			float64(s.cpu.Milliseconds())/float64(s.added), s.createPerCall, s.load)
		b.results.held = append(b.results.held, s)
		prev = s
	}
	fmt.Fprintf(&sb, "\nAt rest for %s after the last stage: CPU %.1f%% of a core, %d IoT calls (the first resyncs come 10 minutes after each create; the CPU of one resync is measured at rest, above).\n\n",
		rest, 100*restCPU.Seconds()/rest.Seconds(), restCalls)
	for _, p := range profiles {
		sb.WriteString(p)
	}
	b.addReport(t, "%s", sb.String())
}
