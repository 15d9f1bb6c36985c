package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

// QueueWaiting counts, per controller and namespace, the resources waiting in the
// controller's queue: the namespaces with a backlog, which the queue serves after the
// others (controllers/engine/fairqueue.go). A namespace with nothing waiting has no series.
var QueueWaiting = prometheus.NewGaugeVec(prometheus.GaugeOpts{
	Name: "prodlife_queue_waiting",
	Help: "Resources waiting in a controller's queue, by controller and namespace (namespaces with none waiting have no series); a namespace with a backlog is served after the others.",
}, []string{"controller", "namespace"})

func init() { ctrlmetrics.Registry.MustRegister(QueueWaiting) }

// SetQueueWaiting records n resources of namespace waiting in controller's queue.
func SetQueueWaiting(controller, namespace string, n int) {
	if n <= 0 {
		QueueWaiting.DeleteLabelValues(controller, namespace)
		return
	}
	QueueWaiting.WithLabelValues(controller, namespace).Set(float64(n))
}
