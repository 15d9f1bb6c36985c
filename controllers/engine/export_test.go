package engine

import "time"

// The field index of external identities, for tests on a fake client.
const ExternalIDField = externalIDField

var IndexExternalID = indexExternalID

// The field index of the Secrets resources keep in use, for tests on a fake client.
const SecretHolderField = secretHolderField

var IndexSecretHolder = indexSecretHolder

// SetCRDRefusalGrace sets how long the CRD read may be refused before a deletion stalls, and
// returns what puts it back.
func SetCRDRefusalGrace(d time.Duration) (restore func()) {
	old := crdRefusalGrace
	crdRefusalGrace = d
	return func() { crdRefusalGrace = old }
}

// SetCRDReadReuse sets how old a CRD read a retried deletion may take the answer of, and
// returns what puts it back.
func SetCRDReadReuse(d time.Duration) (restore func()) {
	old := crdReadReuse
	crdReadReuse = d
	return func() { crdReadReuse = old }
}
