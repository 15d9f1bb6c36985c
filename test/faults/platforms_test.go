package faults

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

// record is what the platforms hold and were asked, and which objects Kubernetes reported
// deleted: everything the checks (checks_test.go) judge.
type record struct {
	products    []alibabaiot.Product
	iotCreates  []alibabaiot.Call // CreateProduct
	iotDeletes  []alibabaiot.Call // DeleteProduct
	feeds       []flipsnack.Feed
	feedCreates []flipsnack.Call // products.create
	feedDeletes []flipsnack.Call // products.delete
	// deletedEvents are the objects with a Deleted event (events.k8s.io), by UID.
	deletedEvents map[types.UID]bool
	// eventReasons counts the events by reason.
	eventReasons map[string]int
}

// read gathers the record, and keeps every event for the scan.
func (s *suite) read(t *testing.T) record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var r record
	var errs [6]error
	r.products, errs[0] = s.alibaba.Products(ctx)
	r.iotCreates, errs[1] = s.alibaba.Calls(ctx, "CreateProduct")
	r.iotDeletes, errs[2] = s.alibaba.Calls(ctx, "DeleteProduct")
	r.feeds, errs[3] = s.flipsnack.Feeds(ctx)
	r.feedCreates, errs[4] = s.flipsnack.Calls(ctx, "products.create")
	r.feedDeletes, errs[5] = s.flipsnack.Calls(ctx, "products.delete")
	if err := errors.Join(errs[:]...); err != nil {
		t.Fatalf("reading the platforms: %v", err)
	}
	r.deletedEvents, r.eventReasons = map[types.UID]bool{}, map[string]int{}
	for _, e := range s.events(t) {
		r.eventReasons[e.Reason]++
		if e.Reason == "Deleted" {
			r.deletedEvents[e.Regarding.UID] = true
		}
	}
	return r
}

// events lists every event (events.k8s.io) in every namespace, keeping them for the scan:
// a namespace deleted later takes its events along.
func (s *suite) events(t *testing.T) []eventsv1.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var list eventsv1.EventList
	if err := s.kube.List(ctx, &list); err != nil {
		t.Fatalf("listing the events: %v", err)
	}
	for _, e := range list.Items {
		s.shown.addJSON("event "+e.Namespace+"/"+e.Name, e)
	}
	return list.Items
}

// struck counts the calls an injected fault decided, per platform and kind of fault.
type struck struct {
	iotCalls, iotErrors, iotDrops                     int
	feedCalls, feedErrors, feedDrops, feedAnswersLost int
}

func (f struck) String() string {
	return fmt.Sprintf("IoT: %d calls, %d answered with an injected error, %d dropped; Flipsnack: %d calls, %d injected errors, %d dropped, %d answers lost",
		f.iotCalls, f.iotErrors, f.iotDrops, f.feedCalls, f.feedErrors, f.feedDrops, f.feedAnswersLost)
}

// faultsSeen says how often the injected faults struck so far, so that a passing run shows
// what it went through.
func (s *suite) faultsSeen(t *testing.T) struck {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	iot, iotErr := s.alibaba.Calls(ctx, "")
	feed, feedErr := s.flipsnack.Calls(ctx, "")
	if err := errors.Join(iotErr, feedErr); err != nil {
		t.Fatalf("reading the calls: %v", err)
	}
	iotFaults, feedFaults := map[string]int{}, map[string]int{}
	for _, c := range iot {
		iotFaults[c.Fault]++
	}
	for _, c := range feed {
		feedFaults[c.Fault]++
	}
	return struck{
		iotCalls: len(iot), iotErrors: iotFaults["error"], iotDrops: iotFaults["drop"],
		feedCalls: len(feed), feedErrors: feedFaults["error"], feedDrops: feedFaults["drop"], feedAnswersLost: feedFaults["answer lost"],
	}
}

// requireFaultsStruck fails the run unless the injected faults struck: checks that pass on
// platforms that ignored them would prove nothing. Every kind is required that the run's
// calls make certain: IoT calls number in the hundreds; Flipsnack's are fewer, so its drops
// (5% of them) may miss a run and are only reported, while its errors (20%) and its answers
// lost after --flipsnack-timeout (slowFeedChance) are required.
func (s *suite) requireFaultsStruck(t *testing.T) {
	t.Helper()
	f := s.faultsSeen(t)
	for what, n := range map[string]int{
		"IoT calls answered with an injected error":         f.iotErrors,
		"IoT calls dropped":                                 f.iotDrops,
		"Flipsnack calls answered with an injected error":   f.feedErrors,
		"Flipsnack answers lost after the client's timeout": f.feedAnswersLost,
	} {
		if n == 0 {
			t.Errorf("no %s in the whole run (%s): the faults were not injected, so the checks proved nothing", what, f)
		}
	}
}
