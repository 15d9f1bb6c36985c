package faults

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// watchScenarios keeps every scenario's objects in memory, from one watch per kind, for the
// waits' looks. A LIST a second of every object would load the API server the suite
// measures: at full scale 100 feeds of about 130 KB and 5,000 IoTProducts, 25 MB to encode
// per look, more than a second of its CPU each time (the API server encodes a custom resource
// at about 13 MB/s here). A watch sends each change once, as the managers' own do. The checks
// still LIST (suite.list): what they judge is what a user listing the objects would see.
//
// stop ends the watches and returns once they are closed.
func watchScenarios(cfg *rest.Config, like client.Client) (_ cache.Cache, stop func(), _ error) {
	scenarios, err := labels.NewRequirement(scenarioLabel, selection.Exists, nil)
	if err != nil {
		return nil, nil, err
	}
	c, err := cache.New(cfg, cache.Options{
		Scheme:               like.Scheme(),
		Mapper:               like.RESTMapper(),
		DefaultLabelSelector: labels.NewSelector().Add(*scenarios),
	})
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	stop = func() { cancel(); <-done }
	go func() {
		defer close(done)
		_ = c.Start(ctx)
	}()
	for _, kind := range []client.Object{&v1alpha1.IoTProduct{}, &v1alpha1.FlipsnackFeed{}} {
		if _, err := c.GetInformer(ctx, kind); err != nil {
			stop()
			return nil, nil, fmt.Errorf("watching %T: %w", kind, err)
		}
	}
	synced, cancelSync := context.WithTimeout(ctx, time.Minute)
	defer cancelSync()
	if !c.WaitForCacheSync(synced) {
		stop()
		return nil, nil, fmt.Errorf("the watch of the scenarios' objects did not sync within a minute")
	}
	return c, stop, nil
}
