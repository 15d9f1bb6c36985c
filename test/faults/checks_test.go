package faults

import (
	"fmt"
	"slices"

	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

// The checks judge a record (platforms_test.go) against the objects a scenario tracked. Each
// returns one line per problem, so a failure lists everything wrong at once; they are plain
// functions, so checks_catch_test.go can show each one catches what it is for.

const (
	feedCodeOK           = 20 // Flipsnack's answer to a call that succeeded
	iotNotExistedProduct = "iot.prod.NotExistedProduct"
)

// checkCreated: every object's product exists under the identity it recorded, and nothing
// else is on the platforms (a product nobody recorded is one a lost answer left behind).
func checkCreated(objs []tracked, r record) []string {
	var problems []string
	products := map[string]alibabaiot.Product{}
	for _, p := range r.products {
		products[p.ProductKey] = p
	}
	feeds := map[string]flipsnack.Feed{}
	for _, f := range r.feeds {
		feeds[f.SourceHash] = f
	}
	claimed := map[string]bool{}
	for _, o := range objs {
		claimed[o.id] = true
		switch o.kind {
		case "IoTProduct":
			p, ok := products[o.id]
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("%s is Ready but the platform has no product %q", o, o.id))
			case p.ProductName != o.productName:
				problems = append(problems, fmt.Sprintf("%s: product %s is named %q, want %q", o, o.id, p.ProductName, o.productName))
			}
		case "FlipsnackFeed":
			f, ok := feeds[o.id]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s is Ready but the platform has no feed %q", o, o.id))
				continue
			}
			if got := slices.Sorted(slices.Values(f.SKUs)); !slices.Equal(got, o.skus) {
				problems = append(problems, fmt.Sprintf("%s: the feed holds %d SKUs, the spec declares %d (first difference: %s)",
					o, len(got), len(o.skus), firstDifference(got, o.skus)))
			}
		}
	}
	for _, p := range r.products {
		if !claimed[p.ProductKey] {
			problems = append(problems, fmt.Sprintf("IoT product %s (%s) belongs to no object: a create whose answer was lost, never taken over?", p.ProductKey, p.ProductName))
		}
	}
	for _, f := range r.feeds {
		if !claimed[f.SourceHash] {
			problems = append(problems, fmt.Sprintf("feed %s (%d SKUs) belongs to no object", f.SourceHash, len(f.SKUs)))
		}
	}
	return problems
}

// leftovers: once a scenario's objects are gone, nothing may stay on either platform.
func leftovers(r record) []string {
	var problems []string
	for _, p := range r.products {
		problems = append(problems, fmt.Sprintf("IoT product %s (%s) is left on the platform", p.ProductKey, p.ProductName))
	}
	for _, f := range r.feeds {
		problems = append(problems, fmt.Sprintf("feed %s is left on the platform with %d SKUs: %s", f.SourceHash, len(f.SKUs), abbreviate(f.SKUs, 5)))
	}
	return problems
}

// duplicates: no product was created twice. IoT: each productName got at most one
// CreateProduct answered OK (the platform refuses a taken name, so a second one means the
// product was deleted and made again). Flipsnack refuses a SKU already in the feed, so the
// products carried by successful products.create calls must add up to the feed's SKUs
// exactly: more means a SKU was created again after being deleted.
func duplicates(objs []tracked, r record) []string {
	iotCreated := map[string][]string{} // productName → RequestIds of the creates answered OK
	for _, c := range r.iotCreates {
		if c.Code == alibabaiot.CodeOK {
			name := c.Parameters["ProductName"]
			iotCreated[name] = append(iotCreated[name], c.RequestID)
		}
	}
	feedCreated := carried(r.feedCreates)
	var problems []string
	for _, o := range objs {
		switch o.kind {
		case "IoTProduct":
			if ids := iotCreated[o.productName]; len(ids) > 1 {
				problems = append(problems, fmt.Sprintf("%s: productName %s was created %d times (RequestIds %v)", o, o.productName, len(ids), ids))
			}
		case "FlipsnackFeed":
			n := feedCreated[o.id]
			switch {
			case n > len(o.skus):
				problems = append(problems, fmt.Sprintf("%s: successful products.create calls carried %d products for its %d SKUs: some SKU was created more than once", o, n, len(o.skus)))
			case n < len(o.skus):
				problems = append(problems, fmt.Sprintf("%s: successful products.create calls carried %d products for its %d SKUs: the call log lost some?", o, n, len(o.skus)))
			}
		}
	}
	return problems
}

// deletedTwice: no product was deleted twice, where no delete can have lost its answer or its
// record (no fault delays a call past the client's timeout, and the API server is up whenever
// a platform answers): a DeleteProduct answered OK or "not existed" more than once for one
// ProductKey, or successful products.delete calls carrying more SKUs than the feed holds, mean
// that two managers worked on the same object, or one forgot what it had done.
func deletedTwice(objs []tracked, r record) []string {
	iotDeleted := iotDeletesDone(r)
	feedDeleted := carried(r.feedDeletes)
	var problems []string
	for _, o := range objs {
		switch o.kind {
		case "IoTProduct":
			if n := iotDeleted[o.id]; n > 1 {
				problems = append(problems, fmt.Sprintf("%s: DeleteProduct of %s was answered as done %d times", o, o.id, n))
			}
		case "FlipsnackFeed":
			if n := feedDeleted[o.id]; n > len(o.skus) {
				problems = append(problems, fmt.Sprintf("%s: successful products.delete calls carried %d SKUs for its %d: some SKU was deleted more than once", o, n, len(o.skus)))
			}
		}
	}
	return problems
}

// iotDeletesDone counts, by ProductKey, the DeleteProduct calls answered as done: OK, or
// "not existed" (the product already gone).
func iotDeletesDone(r record) map[string]int {
	n := map[string]int{}
	for _, c := range r.iotDeletes {
		if c.Code == alibabaiot.CodeOK || c.Code == iotNotExistedProduct {
			n[c.Parameters["ProductKey"]]++
		}
	}
	return n
}

// carried adds up, by feed (sourceHash), the products the successful calls carried.
func carried(calls []flipsnack.Call) map[string]int {
	n := map[string]int{}
	for _, c := range calls {
		if c.Code == feedCodeOK {
			n[c.Params["sourceHash"]] += c.Items
		}
	}
	return n
}

// unreported: every deletion was reported, by a Deleted event on the object or, where the
// event cannot be had, by the platform: a DeleteProduct answered OK or NotExistedProduct for
// the product, a products.delete answered OK for the feed. (A deleted namespace takes its
// events along; a manager killed right after releasing an object never sends its queued
// event.) withoutEvent lists the objects only the platform vouches for, outside a deleted
// namespace.
func unreported(objs []tracked, r record) (problems, withoutEvent []string) {
	deleted := map[string]bool{} // ProductKey or sourceHash with a successful delete call
	for key := range iotDeletesDone(r) {
		deleted[key] = true
	}
	for _, c := range r.feedDeletes {
		if c.Code == feedCodeOK {
			deleted[c.Params["sourceHash"]] = true
		}
	}
	for _, o := range objs {
		switch {
		case r.deletedEvents[o.uid]:
		case !deleted[o.id]:
			problems = append(problems, fmt.Sprintf("%s: no Deleted event and no successful delete call on the platform: its deletion was never reported", o))
		case !o.inDeletedNamespace:
			withoutEvent = append(withoutEvent, o.String())
		}
	}
	return problems, withoutEvent
}

func firstDifference(got, want []string) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("%q where the spec has %q", got[i], want[i])
		}
	}
	if len(got) > len(want) {
		return fmt.Sprintf("extra %q", got[len(want)])
	}
	if len(want) > len(got) {
		return fmt.Sprintf("missing %q", want[len(got)])
	}
	return "none"
}
