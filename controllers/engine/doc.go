// Package engine is the one lifecycle engine every kind runs on (docs/design.md, "The
// lifecycle contract"): finalizers, identity annotations, credentials Secrets, conditions,
// events, metrics and every write to the API server. A kind brings only its adapter, an
// External behind a Connector (external.go); the engine never names a kind's package.
package engine
