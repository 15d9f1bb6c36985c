package controllers

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/internal/alibaba"
)

// Options are the settings both kind controllers share (operator flags).
type Options struct {
	// SyncPeriod is how often products that can be read back are observed again.
	SyncPeriod time.Duration
	// SlowRetry is how often a failure only a person can fix is retried.
	SlowRetry time.Duration
	// MaxConcurrentReconciles is the number of workers per kind.
	MaxConcurrentReconciles int
	// RetryBaseDelay and RetryMaxDelay bound the exponential backoff of retryable failures.
	RetryBaseDelay, RetryMaxDelay time.Duration
}

// SetupIoTProductController registers the IoTProduct controller: the lifecycle engine with
// the IoT adapter, resynced on the sync period since the platform can be read back.
func SetupIoTProductController(mgr ctrl.Manager, clients *alibaba.ClientSet, opts Options) error {
	engine := &Engine[*v1alpha1.IoTProduct]{
		Client:     mgr.GetClient(),
		Recorder:   mgr.GetEventRecorder("iotproduct-controller"),
		NewObject:  func() *v1alpha1.IoTProduct { return &v1alpha1.IoTProduct{} },
		Connector:  iotConnector{clients: clients},
		Noun:       "product",
		SyncPeriod: opts.SyncPeriod,
		SlowRetry:  opts.SlowRetry,
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named("iotproduct").
		For(&v1alpha1.IoTProduct{}, builder.WithPredicates(specOrDeletionChanged())).
		Watches(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(usersOfSecret(mgr.GetClient(), &v1alpha1.IoTProductList{})),
			builder.WithPredicates(secretDataChanged())).
		WithOptions(controller.Options{
			MaxConcurrentReconciles: opts.MaxConcurrentReconciles,
			RateLimiter:             workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](opts.RetryBaseDelay, opts.RetryMaxDelay),
		}).
		Complete(engine)
}
