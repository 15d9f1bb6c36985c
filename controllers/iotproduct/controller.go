package iotproduct

import (
	"time"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
	"github.com/prodlife/product-lifecycle-operator/internal/alibaba"
	"github.com/prodlife/product-lifecycle-operator/internal/recorder"
)

// ControllerName names the IoTProduct controller, as the controller label of the workqueue and
// reconcile metrics does (the alerts and the dashboard select it).
const ControllerName = "iotproduct"

// SetupIoTProductController registers the IoTProduct controller: the lifecycle engine with
// the IoT adapter, resynced on the sync period since the platform can be read back.
func SetupIoTProductController(mgr ctrl.Manager, clients *alibaba.ClientSet, opts engine.Options) error {
	events, err := recorder.New(mgr, "iotproduct-controller", recorder.Options{})
	if err != nil {
		return err
	}
	reconciler := &engine.Engine[*v1alpha1.IoTProduct, engine.NoPlan]{
		Client:       mgr.GetClient(),
		APIReader:    mgr.GetAPIReader(),
		Secrets:      engine.NewSecretData(mgr.GetCache()),
		CRDName:      v1alpha1.KindNamed("IoTProduct").CRDName(),
		Recorder:     events,
		NewObject:    func() *v1alpha1.IoTProduct { return &v1alpha1.IoTProduct{} },
		NewList:      func() client.ObjectList { return &v1alpha1.IoTProductList{} },
		Connector:    iotConnector{clients: clients},
		Noun:         "product",
		SyncPeriod:   opts.SyncPeriod,
		PollInterval: pollInterval,
		SlowRetry:    opts.SlowRetry,
		ThrottleWait: opts.EffectiveThrottleWait(),
		Workers:      opts.MaxConcurrentReconciles,

		MayUseOwnCredentials: opts.MayUseOwnCredentials,
	}
	return engine.ManagedController(mgr, ControllerName, &v1alpha1.IoTProduct{}, &v1alpha1.IoTProductList{}, opts, reconciler.NotDueFor).
		Complete(reconciler)
}

// pollInterval is the product's own spec.pollInterval (0 when it sets none); the CRD bounds
// it to 1m..24h.
func pollInterval(p *v1alpha1.IoTProduct) time.Duration {
	if p.Spec.PollInterval == nil {
		return 0
	}
	return p.Spec.PollInterval.Duration
}
