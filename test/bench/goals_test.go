package bench

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

// The scale goals (docs/operate.md, "Scale"), each judged on what this run measured.
const (
	goalPeakRSSMiB   = 100 // peak RSS holding goalHeldIoT IoTProducts (and the feeds), all Ready
	goalHeldIoT      = 10000
	goalCPUPerCreate = 10 * time.Millisecond // manager CPU per object created to Ready
	// goalBulkRatio is a bulk create's against its floor (and a deletion's against the same
	// deletion of ConfigMaps, where the run measured no release floor).
	goalBulkRatio = 1.5
	// goalReleaseRatio is a bulk delete's against its release floor, measured in the same run:
	// the same deletion of IoTProducts let go by a controller that only takes its finalizer
	// off (release_test.go), the least any operator holding a finalizer can cost.
	goalReleaseRatio = 1.15
)

// timed is one bulk operation against its floor.
type timed struct {
	n           int
	how         string // the namespace of a create, the command of a deletion
	took, floor time.Duration
	cpu         time.Duration // manager CPU spent on it (creates)
	use         cpuUse        // CPU the machine spent on it (deletions)
	floorUse    cpuUse        // CPU the machine spent on its floor (deletions)
}

// results is what the goals are judged on, gathered by the phases.
type results struct {
	creates    []timed
	deletes    []timed
	releases   []timed // the release floor of each deletion (release_test.go)
	held       []holdStage
	churn      *churn
	tenantMeta *tenantMeta
}

// goals is the report's last section: one row per goal with the measurement, the target and
// whether it was met.
func (r results) goals() string {
	var sb strings.Builder
	sb.WriteString("## Goals\n\n| goal | measured | target | ratio to target | met |\n|---|---|---|---|---|\n")
	row := func(goal, measured, target string, ratio float64) {
		fmt.Fprintf(&sb, "| %s | %s | %s | %.2f | %s |\n", goal, measured, target, ratio, yes(ratio <= 1))
	}
	for _, s := range r.held {
		if s.iot == goalHeldIoT {
			mib := float64(s.hwmKB) / 1024
			row(fmt.Sprintf("peak RSS holding %d IoTProducts and %d feeds, all Ready", s.iot, s.held-s.iot), fmt.Sprintf("%.0f MiB", mib), fmt.Sprintf("<= %d MiB", goalPeakRSSMiB), mib/goalPeakRSSMiB)
		}
	}
	for _, c := range r.creates {
		perObject := c.cpu / time.Duration(c.n)
		row(fmt.Sprintf("manager CPU per object created to Ready (%d in %s)", c.n, c.how), fmt.Sprintf("%.1f ms", float64(perObject.Microseconds())/1000),
			fmt.Sprintf("<= %s", goalCPUPerCreate), perObject.Seconds()/goalCPUPerCreate.Seconds())
	}
	for _, c := range r.creates {
		row(fmt.Sprintf("bulk create of %d in %s to all Ready", c.n, c.how), secs(c.took), fmt.Sprintf("<= %.1f × %s (max of N / CreateProduct QPS and N ConfigMaps created)", goalBulkRatio, secs(c.floor)),
			c.took.Seconds()/c.floor.Seconds()/goalBulkRatio)
	}
	for _, d := range r.deletes {
		measured := fmt.Sprintf("%s; manager CPU %.1f ms per deletion", secs(d.took), float64((d.use.manager/time.Duration(d.n)).Microseconds())/1000)
		target, allowed := d.target(r.releases)
		row(fmt.Sprintf("bulk delete of %d (%s), all gone and off the platform", d.n, d.how), measured, target, d.took.Seconds()/allowed.Seconds())
	}
	if c := r.churn; c != nil {
		row(fmt.Sprintf("manager CPU for %d rounds of metadata-only changes to %d ConfigMaps of %d KB read by %d feeds", c.rounds, c.maps, c.mapBytes/1000, c.feeds),
			secs(c.cpu), fmt.Sprintf("<= %s", secs(goalChurnCPU)), c.cpu.Seconds()/goalChurnCPU.Seconds())
	}
	if m := r.tenantMeta; m != nil {
		row(fmt.Sprintf("live heap growth for %.0f MB of a tenant's annotations", m.annotatedMB), fmt.Sprintf("%.1f MiB", m.heapGrowth/(1<<20)),
			fmt.Sprintf("<= %d MiB", goalTenantMetaGrowth>>20), m.heapGrowth/goalTenantMetaGrowth)
		if m.products > 0 {
			row(fmt.Sprintf("peak RSS holding %d more IoTProducts with 250 KB annotations (no restart: %s)", m.products, yes(!m.restarted)),
				fmt.Sprintf("%.0f MiB", float64(m.productsHWMKB)/1024), fmt.Sprintf("<= %d MiB (the shipped limit)", shippedMemoryLimitMiB),
				float64(m.productsHWMKB)/1024/shippedMemoryLimitMiB)
		}
	}
	sb.WriteString(r.deletionBudgets())
	sb.WriteString(r.releaseRatios())
	return sb.String()
}

// target is a deletion's goal, said and as the time it allows: goalReleaseRatio times its
// release floor, or, where the run measured none, goalBulkRatio times the same deletion of
// ConfigMaps.
func (d timed) target(releases []timed) (string, time.Duration) {
	if f, ok := d.release(releases); ok {
		return fmt.Sprintf("<= %.2f × %s (the release floor of this run)", goalReleaseRatio, secs(f.took)), time.Duration(goalReleaseRatio * float64(f.took))
	}
	return fmt.Sprintf("<= %.1f × %s (the same deletion of N ConfigMaps; no release floor measured)", goalBulkRatio, secs(d.floor)), time.Duration(goalBulkRatio * float64(d.floor))
}

// release is the release floor of the same deletion (the same N, the same command).
func (d timed) release(releases []timed) (timed, bool) {
	for _, f := range releases {
		if f.n == d.n && f.how == d.how {
			return f, true
		}
	}
	return timed{}, false
}

// deletionBudgets sets, for each deletion, the CPU its target leaves each object (every core
// for the whole target time) against the CPU the machine spent per object. When the spending
// is above the budget, no order of the same work meets the target on this machine: only less
// work per deletion can.
func (r results) deletionBudgets() string {
	if len(r.deletes) == 0 {
		return ""
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "\n### The CPU the deletion targets leave (%d cores)\n\n"+
		"| deletion | target | CPU it leaves per object | CPU spent per object | spent / left | the ConfigMaps' deletion, CPU per object |\n|---|---|---|---|---|---|\n", runtime.NumCPU())
	for _, d := range r.deletes {
		_, target := d.target(r.releases)
		budget := budgetPerObject(target, d.n)
		spent := d.use.machine / time.Duration(d.n)
		fmt.Fprintf(&sb, "| %d (%s) | %s | %.1f ms | %s | %.2f | %s |\n", d.n, d.how, secs(target),
			float64(budget.Microseconds())/1000, d.use.perObject(d.n), spent.Seconds()/budget.Seconds(), d.floorUse.perObject(d.n))
	}
	return sb.String()
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

// releaseRatios sets each deletion against its release floor: the same deletion of IoTProducts
// that a controller doing nothing but taking its finalizer off lets go. Beside the goal's
// ratio, it says how much of a deletion's CPU is the manager's own work (the CRD read, the
// platform call, the event) and how much any finalizer costs.
func (r results) releaseRatios() string {
	var sb strings.Builder
	for _, d := range r.deletes {
		if f, ok := d.release(r.releases); ok {
			if sb.Len() == 0 {
				sb.WriteString("\n### The deletions against their release floor (a controller that only takes its finalizer off)\n\n" +
					"| deletion | took | the release floor | ratio | CPU per object | the release floor's CPU per object | the manager's own work, CPU per object |\n|---|---|---|---|---|---|---|\n")
			}
			fmt.Fprintf(&sb, "| %d (%s) | %s | %s | %.2f | %s | %s | %.1f ms |\n", d.n, d.how, secs(d.took), secs(f.took),
				d.took.Seconds()/f.took.Seconds(), d.use.perObject(d.n), f.use.perObject(f.n),
				float64((d.use.machine-f.use.machine).Microseconds())/1000/float64(d.n))
		}
	}
	return sb.String()
}
