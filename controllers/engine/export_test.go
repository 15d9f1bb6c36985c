package engine

// The field index of external identities, for tests on a fake client.
const ExternalIDField = externalIDField

var IndexExternalID = indexExternalID

// The field index of the Secrets resources keep in use, for tests on a fake client.
const SecretHolderField = secretHolderField

var IndexSecretHolder = indexSecretHolder
