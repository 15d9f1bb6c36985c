package metrics

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
)

// The code label of a request that succeeded, and of one that got no usable answer. Platform
// error codes (Throttling.User, iot.prod.NotExistedProduct, 31, 44, ...) are used as they are
// when the platform's client registered them as documented (RegisterCodes); any other is
// CodeOther.
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
	// CodeOther: a code the platform's documentation does not list, or an HTTP status out of
	// range. Every distinct label value is a time series kept for the life of the process, and
	// the code comes from the answer, which the endpoint (or whatever stands in front of it)
	// chooses: unbounded, it could grow the manager's memory and Prometheus without limit. The
	// log line of each call still carries the code as it came.
	CodeOther = "other"
)

// HTTPStatusCode is the code label of an answer that carried no platform code, only an HTTP
// status, e.g. http_503 from a proxy in front of the platform. A status outside 100-599 is
// CodeOther, so at most 500 such labels exist.
func HTTPStatusCode(status int) string {
	if status < 100 || status > 599 {
		return CodeOther
	}
	return "http_" + strconv.Itoa(status)
}

// documented holds, per platform, the error codes its client registered.
var documented = struct {
	sync.RWMutex
	codes map[string]map[string]bool
}{codes: map[string]map[string]bool{}}

// RegisterCodes adds codes to the platform's documented error codes, the ones the code label
// shows as they are. Each client registers its platform's list once, at package init.
func RegisterCodes(platform string, codes ...string) {
	documented.Lock()
	defer documented.Unlock()
	if documented.codes[platform] == nil {
		documented.codes[platform] = map[string]bool{}
	}
	for _, c := range codes {
		documented.codes[platform][c] = true
	}
}

// boundedCode is the code label of code: our own words and http_<status> as they are, a
// documented code of the platform as it is, anything else CodeOther.
func boundedCode(platform, code string) string {
	switch code {
	case CodeOK, CodeTimeout, CodeCanceled, CodeNetworkError, CodeInvalidResponse, CodeOther:
		return code
	}
	if isHTTPStatusCode(code) {
		return code
	}
	documented.RLock()
	known := documented.codes[platform][code]
	documented.RUnlock()
	if known {
		return code
	}
	return CodeOther
}

// isHTTPStatusCode reports whether code is what HTTPStatusCode makes of a status in range.
func isHTTPStatusCode(code string) bool {
	digits, ok := strings.CutPrefix(code, "http_")
	if !ok || len(digits) != 3 {
		return false
	}
	status, err := strconv.Atoi(digits)
	return err == nil && HTTPStatusCode(status) == code
}

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
