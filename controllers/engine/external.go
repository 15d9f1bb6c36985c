package engine

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// Managed is what the lifecycle engine needs of a custom resource.
type Managed interface {
	client.Object
	GetLifecyclePolicies() v1alpha1.LifecyclePolicies
	GetCommonStatus() *v1alpha1.CommonStatus
	// GetCredentialsSecretName is "" when the operator's own credentials are used.
	GetCredentialsSecretName() string
	// GetSpecExternalID is the identity the spec names to adopt an existing product
	// (IoT spec.productKey, feed spec.sourceHash), or "".
	GetSpecExternalID() string
	// GetStatusExternalID is the identity the status reports (IoT status.productKey, feed
	// status.sourceHash), or "".
	GetStatusExternalID() string
}

// Connector turns a resource and its credentials into a client for its external product.
// secret is nil when the resource names no Secret. store is the one way the adapter may write
// to the API server (status checkpoints), through the engine. A Connector returns a
// *CredentialsError when the credentials are missing or malformed.
type Connector[T Managed, P any] interface {
	Connect(ctx context.Context, obj T, secret map[string][]byte, store Store) (External[T, P], error)
}

// Store is what the engine lets an adapter write to the API server: status fields that must
// survive a crash before the reconcile ends (a feed's record after every batch but a
// deletion's last, which the release records). Every other
// write (metadata, the final status) is the engine's own.
type Store interface {
	// CheckpointStatus patches fields into obj's status on the API server at once (patch.go).
	CheckpointStatus(ctx context.Context, obj client.Object, fields map[string]any) error
}

// External is one kind's adapter to its platform: the four verbs of the lifecycle, plus the
// lookup that makes creation crash-safe. Every error is an *apierr.Error or plain transport
// error; the engine classifies it.
type External[T Managed, P any] interface {
	// Observe reads the product with the given external identity and says whether it exists
	// and matches the spec. It also copies what it sees into the kind's status.
	Observe(ctx context.Context, obj T, externalID string) (Observation[P], error)

	// Lookup finds a product that an earlier, interrupted create of this very object may have
	// made. It is called only while the object carries our create-pending mark.
	Lookup(ctx context.Context, obj T) (externalID string, found bool, err error)

	// Create makes the product and returns its external identity.
	Create(ctx context.Context, obj T) (Result, error)

	// Update makes the product match the spec.
	Update(ctx context.Context, obj T, externalID string, obs Observation[P]) (Result, error)

	// Delete removes the product. A Result with Done false means more calls are needed (a
	// large feed), and Progressed says whether this one got anywhere; a not-found error
	// counts as done.
	Delete(ctx context.Context, obj T, externalID string) (Result, error)
}

// Observation is what Observe saw. P is the kind's plan: what Observe worked out for Update
// to do (a feed's push plan), handed back to Update as it is, since adapters keep no state
// between the two calls. A kind whose Update needs only the spec uses NoPlan.
type Observation[P any] struct {
	Exists   bool
	UpToDate bool
	// Diff says, for a person, how the product differs from the spec.
	Diff string
	Plan P
}

// NoPlan is the plan of a kind whose Update needs nothing from Observe but the spec.
type NoPlan struct{}

// Result is the outcome of a write.
type Result struct {
	ExternalID string
	// RequestID is the platform's RequestId of the (last) call, quoted in events.
	RequestID string
	// Done is false when a Delete has more to do.
	Done bool
	// Progressed says that a Delete that is not Done got somewhere (deleted some of what was
	// left): the engine goes on at once. A pass without progress would only repeat itself, so
	// the engine backs off and reports what is stuck; false is the safe default.
	Progressed bool
	// Message describes the outcome or the progress ("deleted 1,500 of 10,000 products").
	Message string
}

// CredentialsError says the credentials a resource names cannot be used as they are.
type CredentialsError struct{ Reason string }

func (e *CredentialsError) Error() string { return e.Reason }

// SpecRefusedError says the operator itself refuses what the spec asks (a bound it enforces,
// a products source it cannot use, a record too large to keep): no platform was asked, and
// only a person changing the spec can help. The engine reports it as Stalled with Reason.
type SpecRefusedError struct {
	Reason  string
	Message string
}

func (e *SpecRefusedError) Error() string { return e.Message }
