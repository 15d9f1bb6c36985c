package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// The state label of prodlife_objects: the kstatus reading of an object's conditions.
const (
	StateReady       = "ready"
	StateReconciling = "reconciling"
	StateStalled     = "stalled"
	StateTerminating = "terminating"
)

var states = []string{StateReady, StateReconciling, StateStalled, StateTerminating}

// listTimeout bounds one scrape's lists: a cache that has not synced yet would otherwise hold
// the scrape until Prometheus gives up on it.
const listTimeout = 10 * time.Second

const objectsHelp = "Custom resources by kind and state: ready (Ready=True for the current generation), stalled (Stalled=True: a person must act), terminating (being deleted), reconciling (anything else: work under way, being retried, or not yet reconciled)."

var objectsDesc = prometheus.NewDesc("prodlife_objects", objectsHelp, []string{"kind", "state"}, nil)

// ObjectsCollector counts the custom resources by state when Prometheus scrapes, from a
// client.Reader (the manager's cache), so the engine keeps no bookkeeping that could drift
// from the objects themselves.
//
// It is also a manager Runnable that registers itself on controller-runtime's metrics.Registry
// while the manager leads: with several replicas only the leader reports, so summing the
// series over pods does not count an object twice.
type ObjectsCollector struct {
	reader client.Reader
}

// NewObjectsCollector counts the objects reader lists: with a namespaced cache, those of the
// watched namespaces.
func NewObjectsCollector(reader client.Reader) *ObjectsCollector {
	return &ObjectsCollector{reader: reader}
}

// Describe implements prometheus.Collector.
func (c *ObjectsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- objectsDesc }

// Collect implements prometheus.Collector. A kind whose list fails is left out of this scrape
// (and logged) rather than failing the whole scrape, which would hide every other metric.
func (c *ObjectsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), listTimeout)
	defer cancel()
	for _, k := range v1alpha1.Kinds {
		list := k.NewList()
		// Only read, never changed: no need to copy every object out of the cache.
		if err := c.reader.List(ctx, list, client.UnsafeDisableDeepCopy); err != nil {
			logf.Log.WithName("metrics").Error(err, "counting objects for prodlife_objects", "kind", k.Name)
			continue
		}
		counts := map[string]int{}
		_ = meta.EachListItem(list, func(o runtime.Object) error {
			counts[StateOf(o.(statusObject))]++
			return nil
		})
		for _, state := range states {
			ch <- prometheus.MustNewConstMetric(objectsDesc, prometheus.GaugeValue, float64(counts[state]), k.Name, state)
		}
	}
}

// statusObject is what StateOf reads of a resource.
type statusObject interface {
	client.Object
	GetCommonStatus() *v1alpha1.CommonStatus
}

// StateOf reads an object's conditions the way kstatus (Flux, Argo CD) does: being deleted
// comes first, and a status that describes an older generation is still reconciling whatever
// its conditions say.
func StateOf(obj statusObject) string {
	if obj.GetDeletionTimestamp() != nil {
		return StateTerminating
	}
	st := obj.GetCommonStatus()
	switch {
	case st.ObservedGeneration != obj.GetGeneration():
		return StateReconciling
	case meta.IsStatusConditionTrue(st.Conditions, v1alpha1.ConditionStalled):
		return StateStalled
	case meta.IsStatusConditionTrue(st.Conditions, v1alpha1.ConditionReady):
		return StateReady
	default:
		return StateReconciling
	}
}

// Start registers the collector on controller-runtime's metrics.Registry until ctx ends.
func (c *ObjectsCollector) Start(ctx context.Context) error {
	if err := ctrlmetrics.Registry.Register(c); err != nil {
		return err
	}
	<-ctx.Done()
	ctrlmetrics.Registry.Unregister(c)
	return nil
}

// NeedLeaderElection makes the manager start the collector only on the leader.
func (c *ObjectsCollector) NeedLeaderElection() bool { return true }
