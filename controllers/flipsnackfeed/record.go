package flipsnackfeed

import (
	"errors"

	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
	"github.com/prodlife/product-lifecycle-operator/controllers/flipsnackfeed/feedplan"
)

// The record of pushed products (feedplan.Record) as the engine sees its refusals: a record
// the operator cannot read, or one status could not hold, is a spec only a person can change
// (Stalled, InvalidSpec), never a failure to retry.

func decodeRecord(blob []byte) (feedplan.Record, error) {
	rec, err := feedplan.DecodeRecord(blob)
	return rec, refusedSpec(err)
}

func checkRecordFits(rec feedplan.Record) error {
	return refusedSpec(feedplan.CheckRecordFits(rec))
}

func recordTooLarge(detail string) error {
	return refusedSpec(feedplan.RecordTooLarge(detail))
}

// refusedSpec turns feedplan's refusal into the engine's; other errors pass as they are.
func refusedSpec(err error) error {
	var refused *feedplan.RefusedError
	if errors.As(err, &refused) {
		return &engine.SpecRefusedError{Reason: engine.ReasonInvalidSpec, Message: refused.Message}
	}
	return err
}
