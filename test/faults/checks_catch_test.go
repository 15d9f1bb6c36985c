package faults

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/types"

	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

// The checks against records seeded with exactly what each is there to catch: they run
// without an environment, so a check that stopped catching anything fails here, even when
// the operator is right and the scenarios pass.

var (
	sensor    = tracked{kind: "IoTProduct", namespace: "ns", name: "sensor", uid: "uid-sensor", id: "a1Sensor0001", productName: "s_sensor"}
	catalogue = tracked{kind: "FlipsnackFeed", namespace: "ns", name: "catalogue", uid: "uid-catalogue", id: "plo-hash", skus: []string{"SKU-1", "SKU-2"}}
)

// cleanRecord is what the platforms show after a flawless create and delete of both.
func cleanRecord() record {
	return record{
		iotCreates:    []alibabaiot.Call{{Action: "CreateProduct", Parameters: map[string]string{"ProductName": "s_sensor"}, Code: "ServiceUnavailable"}, createdIoT("s_sensor", "r1")},
		iotDeletes:    []alibabaiot.Call{{Action: "DeleteProduct", Parameters: map[string]string{"ProductKey": "a1Sensor0001"}, Code: alibabaiot.CodeOK}},
		feedCreates:   []flipsnack.Call{createdFeed("plo-hash", 2)},
		feedDeletes:   []flipsnack.Call{{Action: "products.delete", Params: map[string]string{"sourceHash": "plo-hash"}, Items: 2, Code: feedCodeOK}},
		deletedEvents: map[types.UID]bool{"uid-sensor": true, "uid-catalogue": true},
	}
}

func createdIoT(name, requestID string) alibabaiot.Call {
	return alibabaiot.Call{Action: "CreateProduct", Parameters: map[string]string{"ProductName": name}, Code: alibabaiot.CodeOK, RequestID: requestID}
}

func createdFeed(sourceHash string, items int) flipsnack.Call {
	return flipsnack.Call{Action: "products.create", Params: map[string]string{"sourceHash": sourceHash}, Items: items, Code: feedCodeOK}
}

func TestChecksPassACleanRun(t *testing.T) {
	r := cleanRecord()
	objs := []tracked{sensor, catalogue}
	problems, withoutEvent := unreported(objs, r)
	problems = append(append(append(append(problems, leftovers(r)...), duplicates(objs, r)...), deletedTwice(objs, r)...), withoutEvent...)
	r.products = []alibabaiot.Product{{ProductKey: "a1Sensor0001", ProductName: "s_sensor"}}
	r.feeds = []flipsnack.Feed{{SourceHash: "plo-hash", SKUs: []string{"SKU-2", "SKU-1"}}}
	problems = append(problems, checkCreated(objs, r)...)
	if len(problems) > 0 {
		t.Errorf("a clean record fails the checks:\n%s", strings.Join(problems, "\n"))
	}
}

func TestChecksCatch(t *testing.T) {
	for _, tc := range []struct {
		name string
		seed func(*record)
		// check runs the check under test.
		check func(record) []string
		want  string
	}{{
		name:  "an IoT product created twice",
		seed:  func(r *record) { r.iotCreates = append(r.iotCreates, createdIoT("s_sensor", "r2")) },
		check: func(r record) []string { return duplicates([]tracked{sensor, catalogue}, r) },
		want:  "productName s_sensor was created 2 times (RequestIds [r1 r2])",
	}, {
		name:  "a SKU created twice",
		seed:  func(r *record) { r.feedCreates = append(r.feedCreates, createdFeed("plo-hash", 1)) },
		check: func(r record) []string { return duplicates([]tracked{sensor, catalogue}, r) },
		want:  "carried 3 products for its 2 SKUs: some SKU was created more than once",
	}, {
		name: "an IoT product deleted twice",
		seed: func(r *record) {
			r.iotDeletes = append(r.iotDeletes, alibabaiot.Call{Action: "DeleteProduct", Parameters: map[string]string{"ProductKey": "a1Sensor0001"}, Code: iotNotExistedProduct})
		},
		check: func(r record) []string { return deletedTwice([]tracked{sensor, catalogue}, r) },
		want:  "DeleteProduct of a1Sensor0001 was answered as done 2 times",
	}, {
		name: "a SKU deleted twice",
		seed: func(r *record) {
			r.feedDeletes = append(r.feedDeletes, flipsnack.Call{Action: "products.delete", Params: map[string]string{"sourceHash": "plo-hash"}, Items: 1, Code: feedCodeOK})
		},
		check: func(r record) []string { return deletedTwice([]tracked{sensor, catalogue}, r) },
		want:  "carried 3 SKUs for its 2: some SKU was deleted more than once",
	}, {
		name: "a product left on the platform",
		seed: func(r *record) {
			r.products = []alibabaiot.Product{{ProductKey: "a1Sensor0001", ProductName: "s_sensor"}}
		},
		check: leftovers,
		want:  "IoT product a1Sensor0001 (s_sensor) is left on the platform",
	}, {
		name:  "a feed left on the platform",
		seed:  func(r *record) { r.feeds = []flipsnack.Feed{{SourceHash: "plo-hash", SKUs: []string{"SKU-2"}}} },
		check: leftovers,
		want:  "feed plo-hash is left on the platform with 1 SKUs",
	}, {
		name: "a feed deletion reported nowhere",
		seed: func(r *record) {
			delete(r.deletedEvents, "uid-catalogue")
			r.feedDeletes[0].Code = 22
		},
		check: func(r record) []string { p, _ := unreported([]tracked{sensor, catalogue}, r); return p },
		want:  "FlipsnackFeed ns/catalogue (plo-hash): no Deleted event and no successful delete call",
	}, {
		name: "an IoT deletion reported nowhere",
		seed: func(r *record) {
			delete(r.deletedEvents, "uid-sensor")
			r.iotDeletes[0].Code = "ServiceUnavailable"
		},
		check: func(r record) []string { p, _ := unreported([]tracked{sensor, catalogue}, r); return p },
		want:  "IoTProduct ns/sensor (a1Sensor0001): no Deleted event and no successful delete call",
	}, {
		name: "a product nobody recorded, left by a lost answer",
		seed: func(r *record) {
			r.products = []alibabaiot.Product{{ProductKey: "a1Sensor0001", ProductName: "s_sensor"}, {ProductKey: "a1Stray", ProductName: "s_stray"}}
			r.feeds = []flipsnack.Feed{{SourceHash: "plo-hash", SKUs: []string{"SKU-1", "SKU-2"}}}
		},
		check: func(r record) []string { return checkCreated([]tracked{sensor, catalogue}, r) },
		want:  "IoT product a1Stray (s_stray) belongs to no object",
	}, {
		name: "a feed missing a SKU of its spec",
		seed: func(r *record) {
			r.products = []alibabaiot.Product{{ProductKey: "a1Sensor0001", ProductName: "s_sensor"}}
			r.feeds = []flipsnack.Feed{{SourceHash: "plo-hash", SKUs: []string{"SKU-1"}}}
		},
		check: func(r record) []string { return checkCreated([]tracked{sensor, catalogue}, r) },
		want:  `the feed holds 1 SKUs, the spec declares 2 (first difference: missing "SKU-2")`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			r := cleanRecord()
			tc.seed(&r)
			problems := strings.Join(tc.check(r), "\n")
			if !strings.Contains(problems, tc.want) {
				t.Errorf("the check says %q, want it to say %q", problems, tc.want)
			}
		})
	}
}

// A deletion only the platform vouches for passes, but is named, unless its namespace was
// deleted whole (which takes the events along).
func TestAnEventLostWithItsNamespaceIsNotReported(t *testing.T) {
	r := cleanRecord()
	delete(r.deletedEvents, "uid-sensor")
	inDeleted := sensor
	inDeleted.inDeletedNamespace = true
	problems, withoutEvent := unreported([]tracked{sensor, catalogue}, r)
	if len(problems) > 0 || len(withoutEvent) != 1 {
		t.Errorf("problems %v, without event %v: want none, and the sensor named", problems, withoutEvent)
	}
	if problems, withoutEvent = unreported([]tracked{inDeleted, catalogue}, r); len(problems)+len(withoutEvent) > 0 {
		t.Errorf("in a deleted namespace: problems %v, without event %v: want none", problems, withoutEvent)
	}
}
