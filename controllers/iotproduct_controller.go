package controllers

import (
	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/internal/alibaba"
)

// SetupIoTProductController registers the IoTProduct controller: the lifecycle engine with
// the IoT adapter, resynced on the sync period since the platform can be read back.
func SetupIoTProductController(mgr ctrl.Manager, clients *alibaba.ClientSet, opts Options) error {
	engine := &Engine[*v1alpha1.IoTProduct]{
		Client:       mgr.GetClient(),
		APIReader:    mgr.GetAPIReader(),
		CRDName:      iotProductCRD,
		Recorder:     mgr.GetEventRecorder("iotproduct-controller"),
		NewObject:    func() *v1alpha1.IoTProduct { return &v1alpha1.IoTProduct{} },
		Connector:    iotConnector{clients: clients},
		Noun:         "product",
		SyncPeriod:   opts.SyncPeriod,
		SlowRetry:    opts.SlowRetry,
		ThrottleWait: opts.throttleWait(),
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named("iotproduct").
		For(&v1alpha1.IoTProduct{}, builder.WithPredicates(specOrDeletionChanged())).
		Watches(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(usersOfSecret(mgr.GetClient(), &v1alpha1.IoTProductList{})),
			builder.WithPredicates(secretDataChanged())).
		WatchesMetadata(&corev1.Namespace{}, handler.EnqueueRequestsFromMapFunc(protectedObjectsIn(mgr.GetClient(), &v1alpha1.IoTProductList{})),
			builder.WithPredicates(namespaceDeletionStarted())).
		WithOptions(opts.controllerOptions()).
		Complete(engine)
}
