package flipsnackfeed

import (
	"context"
	"crypto/sha256"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
	"github.com/prodlife/product-lifecycle-operator/controllers/flipsnackfeed/feedplan"
	"github.com/prodlife/product-lifecycle-operator/internal/flipsnack"
	"github.com/prodlife/product-lifecycle-operator/internal/recorder"
)

// productsFromField indexes feeds by the ConfigMaps their productsFrom reads, so a
// ConfigMap's feeds are one indexed List away.
const productsFromField = ".spec.productsFrom.configMap.name"

// ControllerName names the FlipsnackFeed controller, as the controller label of the workqueue and
// reconcile metrics does (the alerts and the dashboard select it).
const ControllerName = "flipsnackfeed"

// SetupFlipsnackFeedController registers the FlipsnackFeed controller: the lifecycle engine
// with the feed adapter. Flipsnack has no read action, so there is no periodic resync: a
// feed is reconciled when its spec, its credentials Secret or one of its ConfigMaps changes.
func SetupFlipsnackFeedController(mgr ctrl.Manager, clients *flipsnack.ClientSet, opts engine.Options) error {
	err := mgr.GetFieldIndexer().IndexField(context.Background(), &v1alpha1.FlipsnackFeed{}, productsFromField, func(o client.Object) []string {
		var names []string
		for _, src := range o.(*v1alpha1.FlipsnackFeed).Spec.ProductsFrom {
			names = append(names, src.ConfigMap.Name)
		}
		return names
	})
	if err != nil {
		return err
	}
	events, err := recorder.New(mgr, "flipsnackfeed-controller", recorder.Options{})
	if err != nil {
		return err
	}
	connector := feedConnector{
		clients: clients, sources: newSources(mgr.GetCache(), mgr.GetClient()), settled: newUpToDate(), fresh: mgr.GetAPIReader(),
	}
	reconciler := &engine.Engine[*v1alpha1.FlipsnackFeed, *feedplan.Plan]{
		Client:         mgr.GetClient(),
		APIReader:      mgr.GetAPIReader(),
		Secrets:        engine.NewSecretData(mgr.GetCache()),
		CRDName:        v1alpha1.KindNamed("FlipsnackFeed").CRDName(),
		Recorder:       events,
		NewObject:      func() *v1alpha1.FlipsnackFeed { return &v1alpha1.FlipsnackFeed{} },
		NewList:        func() client.ObjectList { return &v1alpha1.FlipsnackFeedList{} },
		Connector:      connector,
		Noun:           "feed",
		SyncPeriod:     0,
		SlowRetry:      opts.SlowRetry,
		ThrottleWait:   opts.EffectiveThrottleWait(),
		Workers:        opts.MaxConcurrentReconciles,
		NothingCreated: nothingPushed,
		SameAccount:    sameFlipsnackAccount(mgr.GetAPIReader()),
	}
	return engine.ManagedController(mgr, ControllerName, &v1alpha1.FlipsnackFeed{}, &v1alpha1.FlipsnackFeedList{}, opts, reconciler.NotDueFor).
		WatchesMetadata(&corev1.ConfigMap{}, handler.EnqueueRequestsFromMapFunc(feedsReading(mgr.GetClient(), connector.sources)),
			builder.WithPredicates(engine.ContentChanged())).
		Complete(reconciler)
}

// feedsReading maps a ConfigMap to the feeds whose productsFrom reads it, those of them at
// least that read a value of it whose content changed (sources.changed): a change of its
// labels or annotations alone, its tenant's to make as often as she likes, costs one read
// and a hash, and wakes no feed.
func feedsReading(c client.Client, src *sources) handler.MapFunc {
	return func(ctx context.Context, cm client.Object) []reconcile.Request {
		feeds := &v1alpha1.FlipsnackFeedList{}
		// Read for their keys only: no copy of each feed (whose record of what was pushed may be
		// hundreds of KB) for every event of every ConfigMap it reads.
		if err := c.List(ctx, feeds, client.InNamespace(cm.GetNamespace()), client.MatchingFields{productsFromField: cm.GetName()},
			client.UnsafeDisableDeepCopy); err != nil {
			return nil
		}
		changed := map[string]bool{} // by key of the ConfigMap, asked once per event
		reqs := make([]reconcile.Request, 0, len(feeds.Items))
		for i := range feeds.Items {
			wake := false
			for _, ref := range feeds.Items[i].Spec.ProductsFrom {
				if ref.ConfigMap.Name != cm.GetName() {
					continue
				}
				c, asked := changed[ref.ConfigMap.Key]
				if !asked {
					c = src.changed(ctx, cm.GetNamespace(), ref.ConfigMap)
					changed[ref.ConfigMap.Key] = c
				}
				wake = wake || c
			}
			if wake {
				reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&feeds.Items[i])})
			}
		}
		return reqs
	}
}

// sameFlipsnackAccount tells whether two feeds push to the same Flipsnack account: a
// sourceHash is unique only within one. An account is its apiKey as verified by its secret:
// a feed that sends someone's apiKey with a wrong secret can make no call there, so its
// claim to a sourceHash stands in the way of no feed of the key's true owner. A Secret that
// cannot be found counts as the same account, so that doubt never lets two resources manage
// one feed.
func sameFlipsnackAccount(secrets client.Reader) func(context.Context, *v1alpha1.FlipsnackFeed, engine.Managed) (bool, error) {
	account := func(ctx context.Context, m engine.Managed) ([sha256.Size]byte, bool, error) {
		secret := &corev1.Secret{}
		err := secrets.Get(ctx, client.ObjectKey{Namespace: m.GetNamespace(), Name: m.GetCredentialsSecretName()}, secret)
		if apierrors.IsNotFound(err) {
			return [sha256.Size]byte{}, false, nil
		}
		key := append(append(append([]byte(nil), secret.Data[v1alpha1.SecretKeyAPIKey]...), 0), secret.Data[v1alpha1.SecretKeyAPISecret]...)
		return sha256.Sum256(key), err == nil, err
	}
	return func(ctx context.Context, a *v1alpha1.FlipsnackFeed, b engine.Managed) (bool, error) {
		if a.GetNamespace() == b.GetNamespace() && a.GetCredentialsSecretName() == b.GetCredentialsSecretName() {
			return true, nil
		}
		accountA, okA, err := account(ctx, a)
		if err != nil {
			return true, err
		}
		accountB, okB, err := account(ctx, b)
		if err != nil {
			return true, err
		}
		return !okA || !okB || accountA == accountB, nil
	}
}
