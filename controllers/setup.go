package controllers

import (
	"context"
	"fmt"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
	"github.com/prodlife/product-lifecycle-operator/controllers/flipsnackfeed"
	"github.com/prodlife/product-lifecycle-operator/controllers/iotproduct"
	"github.com/prodlife/product-lifecycle-operator/internal/alibaba"
	"github.com/prodlife/product-lifecycle-operator/internal/flipsnack"
)

// SetupAll registers everything the operator runs in a manager: the field indexes, the
// IoTProduct and FlipsnackFeed controllers with clients for the two platforms, and the
// credentials controller. The command (main.go) and the test kit (pkg/prodlifetest) both
// call it, so a test kit's manager is wired as the operator is. The manager must use
// ClientOptions and CacheOptions.
func SetupAll(mgr ctrl.Manager, opts engine.Options, alibabaOpts alibaba.Options, flipsnackOpts flipsnack.Options) error {
	// The client sets first: an endpoint they refuse (plain http off loopback) stops the
	// start-up before anything reaches the cluster.
	alibabaClients, err := alibaba.NewClientSet(alibabaOpts)
	if err != nil {
		return fmt.Errorf("--alibaba-endpoint: %w", err)
	}
	if err := flipsnackOpts.Validate(); err != nil {
		return fmt.Errorf("--flipsnack-endpoint: %w", err)
	}
	if err := engine.RegisterIndexes(context.Background(), mgr); err != nil {
		return fmt.Errorf("indexing resources: %w", err)
	}
	if err := iotproduct.SetupIoTProductController(mgr, alibabaClients, opts); err != nil {
		return fmt.Errorf("IoTProduct controller: %w", err)
	}
	if err := flipsnackfeed.SetupFlipsnackFeedController(mgr, flipsnack.NewClientSet(flipsnackOpts), opts); err != nil {
		return fmt.Errorf("FlipsnackFeed controller: %w", err)
	}
	if err := (&engine.CredentialsReconciler{Client: mgr.GetClient(), Cache: mgr.GetCache(), APIReader: mgr.GetAPIReader()}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("credentials controller: %w", err)
	}
	return nil
}
