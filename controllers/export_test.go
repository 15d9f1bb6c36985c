package controllers

// AsSecondManager returns opts for controllers registered in a second manager of the same
// test process: the restart tests run an "old" and a "new" operator side by side.
func AsSecondManager(opts Options) Options {
	opts.skipNameValidation = true
	return opts
}

// The field index of external identities, for tests on a fake client.
const ExternalIDField = externalIDField

var IndexExternalID = indexExternalID

// The field index of the Secrets resources keep in use, for tests on a fake client.
const SecretHolderField = secretHolderField

var IndexSecretHolder = indexSecretHolder

// CredentialKeys are the keys of each kind's credentials Secret, for the test that every
// kind has them.
var CredentialKeys = credentialKeys
