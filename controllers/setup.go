package controllers

import (
	"context"
	"fmt"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"

	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
)

// SetupAll registers everything the operator runs in a manager: the field indexes, the
// controllers of every platform (Platforms) with their clients, and the credentials
// controller. The command (main.go) and the test kit (pkg/prodlifetest) both call it, so a
// test kit's manager is wired as the operator is. The manager must use engine.ClientOptions
// and CacheOptions.
func SetupAll(mgr ctrl.Manager, opts engine.Options, platforms PlatformOptions) error {
	// The client sets first: an endpoint they refuse (plain http off loopback) stops the
	// start-up before anything reaches the cluster.
	setups := make([]func(ctrl.Manager, engine.Options) error, 0, len(Platforms))
	for _, p := range Platforms {
		setup, err := p.NewSetup(platforms)
		if err != nil {
			return err
		}
		setups = append(setups, setup)
	}
	if err := engine.RegisterIndexes(context.Background(), mgr); err != nil {
		return fmt.Errorf("indexing resources: %w", err)
	}
	for _, setup := range setups {
		if err := setup(mgr, opts); err != nil {
			return err
		}
	}
	if err := (&engine.CredentialsReconciler{Client: mgr.GetClient(), Cache: mgr.GetCache(), APIReader: mgr.GetAPIReader()}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("credentials controller: %w", err)
	}
	return nil
}

// CacheOptions are the manager cache's options for the given namespaces (nil: all): every
// object stripped of what the operator never reads, and the kinds' objects sharing their
// common strings (engine.CacheOptions).
func CacheOptions(namespaces map[string]cache.Config) cache.Options {
	return engine.CacheOptions(namespaces, shareStrings)
}
