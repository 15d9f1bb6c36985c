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
// measures: it encodes a LIST of custom resources at 20 to 30 MB a second of its CPU (31
// feeds of 1,000 inline products, 7.2 MB: 0.24 s; 1,001 IoTProducts, 2.8 MB: 0.14 s;
// test/bench/RESULTS.md), and at full scale the 100 feeds and 5,000 IoTProducts make more
// than a second of it per look. A watch sends each change once, as the managers' own do. The
// checks still LIST (suite.list): what they judge is what a user listing the objects sees.
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
		if _, err := c.GetInformer(ctx, kind, cache.BlockUntilSynced(false)); err != nil {
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
