package engine

import (
	"slices"
	"time"

	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// Options are the settings both kind controllers share (operator flags).
type Options struct {
	// SyncPeriod is how often products that can be read back are observed again.
	SyncPeriod time.Duration
	// SlowRetry is how often a failure only a person can fix is retried.
	SlowRetry time.Duration
	// MaxConcurrentReconciles is the number of workers per kind.
	MaxConcurrentReconciles int
	// RetryBaseDelay and RetryMaxDelay bound the exponential backoff of retryable failures.
	RetryBaseDelay, RetryMaxDelay time.Duration
	// ThrottleWait is the pause after the platform's rate limit answered; 0 means five
	// times RetryBaseDelay, at most RetryMaxDelay.
	ThrottleWait time.Duration
	// DefaultCredentialsNamespaces are the namespaces whose resources may use the operator's
	// own credentials (a resource without credentialsSecretRef); "*" allows every namespace.
	// Empty, the default, allows none: the operator's identity is the whole cluster's
	// account, and any namespace user could otherwise adopt and delete its products.
	DefaultCredentialsNamespaces []string

	// SkipNameValidation lets a test run a second manager with the same controllers in one
	// process, as a restarted operator would (see export_test.go).
	SkipNameValidation bool
}

func (o Options) EffectiveThrottleWait() time.Duration {
	if o.ThrottleWait > 0 {
		return o.ThrottleWait
	}
	w := 5 * o.RetryBaseDelay
	if o.RetryMaxDelay > 0 && w > o.RetryMaxDelay {
		w = o.RetryMaxDelay
	}
	return max(w, 10*time.Millisecond)
}

func (o Options) controllerOptions() controller.Options {
	opts := controller.Options{
		MaxConcurrentReconciles: o.MaxConcurrentReconciles,
		RateLimiter:             workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](o.RetryBaseDelay, o.RetryMaxDelay),
		NewQueue:                newFairQueue, // no namespace's backlog holds up another's (fairqueue.go)
	}
	if o.SkipNameValidation {
		opts.SkipNameValidation = ptr.To(true)
	}
	return opts
}

// MayUseOwnCredentials says whether resources in namespace may use the operator's own
// credentials.
func (o Options) MayUseOwnCredentials(namespace string) bool {
	return slices.Contains(o.DefaultCredentialsNamespaces, namespace) || slices.Contains(o.DefaultCredentialsNamespaces, AllNamespaces)
}

// AllNamespaces in DefaultCredentialsNamespaces lets every namespace use the operator's own
// credentials (a cluster with one tenant).
const AllNamespaces = "*"
