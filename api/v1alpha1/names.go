package v1alpha1

// Names that tests, documentation and users' tooling depend on. They are part of the API.
const (
	// Finalizer holds a custom resource until its external product is deleted (or orphaned).
	Finalizer = "prodlife.dev/external-delete"

	// CredentialsInUseFinalizer holds a credentials Secret while a resource still needs it to
	// delete its external product, so deleting a whole namespace cannot strand products.
	CredentialsInUseFinalizer = "prodlife.dev/credentials-in-use"

	// ExternalIDAnnotation records the external identity: the IoT ProductKey, or the feed's sourceHash.
	ExternalIDAnnotation = "prodlife.dev/external-id"

	// CreatePendingAnnotation is set just before a create call and cleared once the external
	// identity is recorded; finding it without an identity means a create may have happened.
	CreatePendingAnnotation = "prodlife.dev/create-pending"

	// PausedAnnotation, set to "true" on a resource, stops every platform call for it
	// (create, observe, update, delete) until it is removed; a deletion waits, unless the
	// deletionPolicy is Orphan. The resource's users may set it (an incident, a migration).
	PausedAnnotation = "prodlife.dev/paused"

	// ReconcileRequestedAtAnnotation, set to any new value, asks for a reconcile at once
	// with a fresh read of the platform; status.lastHandledReconcileAt echoes the value once
	// it is done (as Flux's reconcile.fluxcd.io/requestedAt).
	ReconcileRequestedAtAnnotation = "prodlife.dev/reconcile-requested-at"
)

// Condition types of the status contract.
const (
	// ConditionReady is True when the external product exists and matches the spec.
	ConditionReady = "Ready"
	// ConditionReconciling is True while work is under way or being retried (kstatus convention).
	ConditionReconciling = "Reconciling"
	// ConditionStalled is True when only a person can unblock the object (kstatus convention).
	ConditionStalled = "Stalled"
	// ConditionPaused is True while PausedAnnotation stops the operator's platform calls; its
	// lastTransitionTime says since when. Absent otherwise.
	ConditionPaused = "Paused"
)
