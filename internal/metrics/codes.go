package metrics

import (
	"context"
	"errors"
	"net"
	"strconv"
)

// The code label of a request that succeeded, and of one that got no usable answer. Platform
// error codes (Throttling.User, iot.prod.NotExistedProduct, 31, 44, ...) are used as they are.
const (
	CodeOK = "OK"
	// CodeTimeout: no answer in time (the client's per-call timeout or the caller's deadline).
	CodeTimeout = "timeout"
	// CodeCanceled: the caller gave up on the call before its answer.
	CodeCanceled = "canceled"
	// CodeNetworkError: the connection failed or broke.
	CodeNetworkError = "network_error"
	// CodeInvalidResponse: an answer arrived but could not be read (not the platform's JSON,
	// no body).
	CodeInvalidResponse = "invalid_response"
)

// HTTPStatusCode is the code label of an answer that carried no platform code, only an HTTP
// status, e.g. http_503 from a proxy in front of the platform.
func HTTPStatusCode(status int) string { return "http_" + strconv.Itoa(status) }

// TransportCode classifies a request that got no answer: timeout, canceled or network_error.
func TransportCode(err error) string {
	var netErr net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return CodeCanceled
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return CodeTimeout
	default:
		return CodeNetworkError
	}
}
