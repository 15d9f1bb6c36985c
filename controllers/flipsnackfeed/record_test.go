package flipsnackfeed

import (
	"errors"
	"strconv"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
	"github.com/prodlife/product-lifecycle-operator/controllers/flipsnackfeed/feedplan"
)

// A record the operator cannot read, or could not keep, reaches the engine as a spec it
// refuses (Stalled, InvalidSpec), never as a failure to retry.
func TestARefusedRecordIsASpecTheOperatorRefuses(t *testing.T) {
	tooLarge := feedplan.Record{}
	for i := range 50001 { // more SKUs than any record this operator keeps
		tooLarge["sku-"+strconv.Itoa(i)] = nil
	}
	for name, err := range map[string]error{
		"unreadable":         func() error { _, err := decodeRecord([]byte("not gzip")); return err }(),
		"too large":          checkRecordFits(tooLarge),
		"too large to store": recordTooLarge("800,000 bytes compressed"),
	} {
		var refused *engine.SpecRefusedError
		if !errors.As(err, &refused) || refused.Reason != engine.ReasonInvalidSpec {
			t.Errorf("%s: error %v, want a SpecRefusedError with reason %s", name, err, engine.ReasonInvalidSpec)
		}
	}
	if _, err := decodeRecord(nil); err != nil {
		t.Errorf("an empty record: %v", err)
	}
}

// feedplan holds products to the limits the CRD states.
func TestFeedPlanLimitsAreTheAPIs(t *testing.T) {
	if feedplan.MaxProductFields != v1alpha1.MaxProductFields || feedplan.MaxSKULength != v1alpha1.MaxSKULength {
		t.Errorf("feedplan allows %d fields and SKUs of %d characters, the API %d and %d",
			feedplan.MaxProductFields, feedplan.MaxSKULength, v1alpha1.MaxProductFields, v1alpha1.MaxSKULength)
	}
}
