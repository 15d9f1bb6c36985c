// Package kuberetry says which failures of a request to the Kubernetes API server are worth
// another try, for the manager's own requests outside controller-runtime's client (the
// metrics endpoint's access reviews, the events it sends).
package kuberetry

import (
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	utilnet "k8s.io/apimachinery/pkg/util/net"
)

// Retriable: the API server busy, timing out or failing inside, or the connection lost. An
// answer about the request itself (refused, invalid, not found) is not.
func Retriable(err error) bool {
	return apierrors.IsTooManyRequests(err) || apierrors.IsServerTimeout(err) || apierrors.IsTimeout(err) ||
		apierrors.IsInternalError(err) || apierrors.IsServiceUnavailable(err) ||
		utilnet.IsConnectionReset(err) || utilnet.IsConnectionRefused(err) || utilnet.IsProbableEOF(err)
}
