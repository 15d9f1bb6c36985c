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

// faultsSeen says how often the injected faults struck so far, so that a passing run shows
// what it went through.
func (s *suite) faultsSeen(t *testing.T) string {
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
	return fmt.Sprintf("IoT: %d calls, %d answered with an injected error, %d dropped; Flipsnack: %d calls, %d injected errors, %d dropped, %d answers lost",
		len(iot), iotFaults["error"], iotFaults["drop"], len(feed), feedFaults["error"], feedFaults["drop"], feedFaults["answer lost"])
}
