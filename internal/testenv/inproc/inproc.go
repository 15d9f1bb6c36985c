// Package inproc runs the operator's controllers in the test's own process, wired by
// controllers.SetupAll as the manager binary (main.go) wires them: the test kit and the suites
// that reach into the operator's Go objects (its metrics registry) use it. It is apart from
// package testenv, which must not import the controllers (their packages' own tests use it).
package inproc

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-logr/logr"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlconfig "sigs.k8s.io/controller-runtime/pkg/config"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/prodlife/product-lifecycle-operator/controllers"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
)

// Options of an in-process operator.
type Options struct {
	// Config reaches the API server as the operator.
	Config *rest.Config
	Scheme *k8sruntime.Scheme
	// Engine and Platforms are the operator's settings (its flags).
	Engine    engine.Options
	Platforms controllers.PlatformOptions
	// Namespaces confine the manager, as --namespaces; empty: every namespace.
	Namespaces []string
	// Logger receives the manager's logs; the zero value discards them.
	Logger logr.Logger
	// Cache, when set, replaces the cache options controllers.CacheOptions gives Namespaces
	// (a suite that leaves out the objects of managers of its own).
	Cache *cache.Options
	// NewClient and NewCache, when set, wrap the manager's client and cache (a suite that
	// counts the requests the operator makes).
	NewClient client.NewClientFunc
	NewCache  cache.NewCacheFunc
	// SkipNameValidation lets several managers with the same controllers run in one process
	// (one per test, or an old and a new operator side by side).
	SkipNameValidation bool
}

// Start sets the operator up in a new manager, starts it and waits until its cache is synced.
// stop ends the manager and returns what it ended with.
func Start(opts Options) (mgr ctrl.Manager, stop func() error, err error) {
	if mgr, err = NewManager(opts); err != nil {
		return nil, nil, err
	}
	if err := controllers.SetupAll(mgr, opts.Engine, opts.Platforms); err != nil {
		return nil, nil, fmt.Errorf("setting up the controllers: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	stop = func() error {
		cancel()
		return <-done
	}
	syncCtx, stopSync := context.WithTimeout(ctx, time.Minute)
	defer stopSync()
	if !mgr.GetCache().WaitForCacheSync(syncCtx) {
		_ = stop()
		return nil, nil, errors.New("the manager's cache did not sync within a minute")
	}
	return mgr, stop, nil
}

// NewManager is the manager Start runs the operator in (the operator's client and cache
// options, no metrics or probe server), with nothing set up in it yet: for a test that
// registers a controller of its own in it, alone.
func NewManager(opts Options) (ctrl.Manager, error) {
	var namespaces map[string]cache.Config
	for _, ns := range opts.Namespaces {
		if namespaces == nil {
			namespaces = map[string]cache.Config{}
		}
		namespaces[ns] = cache.Config{}
	}
	logger := opts.Logger
	if logger.GetSink() == nil {
		// Not logr.Discard(): its nil sink makes controller-runtime fall back to its global
		// logger, which prints a stack trace after 30 s unless the program set one.
		logger = logr.New(ctrllog.NullLogSink{})
	}
	mgrOpts := ctrl.Options{
		Scheme:                 opts.Scheme,
		Logger:                 logger,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Client:                 engine.ClientOptions(),
		Cache:                  controllers.CacheOptions(namespaces),
		NewClient:              opts.NewClient,
		NewCache:               opts.NewCache,
	}
	if opts.Cache != nil {
		mgrOpts.Cache = *opts.Cache
	}
	if opts.SkipNameValidation {
		mgrOpts.Controller = ctrlconfig.Controller{SkipNameValidation: ptr.To(true)}
	}
	mgr, err := ctrl.NewManager(opts.Config, mgrOpts)
	if err != nil {
		return nil, fmt.Errorf("creating the manager: %w", err)
	}
	return mgr, nil
}
