package metrics

import (
	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prometheus/client_golang/prometheus"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

// The result label of Deletions.
const (
	// DeletionCompleted: the external product was deleted (or was already gone) and the
	// resource released.
	DeletionCompleted = "completed"
	// DeletionOrphaned: the resource was released and its product left on the platform, as
	// deletionPolicy Orphan or managementPolicy ObserveOnly asks, or because its CRD is being
	// deleted (an uninstall).
	DeletionOrphaned = "orphaned"
	// DeletionNothingToDelete: the resource was released without an API call because no
	// product was ever created for it.
	DeletionNothingToDelete = "nothing_to_delete"
	// DeletionFailed: one attempt to delete the external product failed; the resource stays
	// and the attempt is retried, so one deletion can count several failures before it
	// completes.
	DeletionFailed = "failed"
)

// Deletions counts deletions of custom resources by outcome.
var Deletions = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "prodlife_deletions_total",
	Help: "Deletions of custom resources, by kind and result: completed (the external product was deleted or already gone), orphaned (left on the platform by policy or an uninstall), nothing_to_delete (never created), failed (one failed attempt; it is retried).",
}, []string{"kind", "result"})

func init() {
	ctrlmetrics.Registry.MustRegister(Deletions)
	// Every kind and result from the start, so rate() and alerts work before the first deletion.
	for _, k := range v1alpha1.Kinds {
		kind := k.Name
		for _, result := range []string{DeletionCompleted, DeletionOrphaned, DeletionNothingToDelete, DeletionFailed} {
			Deletions.WithLabelValues(kind, result)
		}
	}
}

// RecordDeletion counts one deletion outcome of a resource of kind (see KindOf).
func RecordDeletion(kind, result string) {
	Deletions.WithLabelValues(kind, result).Inc()
}
