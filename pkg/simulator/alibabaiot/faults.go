package alibabaiot

import (
	"fmt"
	"maps"
	"net/http"
	"strings"
	"sync"
)

// Fault makes one action misbehave. Stages apply in order: the latency, then (with DropRate) a
// closed connection without an answer, then (with ErrorRate) an error answered with Code.
type Fault struct {
	// ErrorRate is the probability (0 to 1) that a call is answered with Code.
	ErrorRate float64 `json:"errorRate,omitempty"`
	// Code is answered as the platform would: an iot.* business code as HTTP 200 with Success
	// false, any other code as a gateway error (HTTP 4xx/5xx).
	Code string `json:"code,omitempty"`
	// HTTPStatus overrides the status of a gateway error (default: the code's usual status,
	// 400 for an unknown code).
	HTTPStatus int `json:"httpStatus,omitempty"`
	// Message overrides the error message.
	Message string `json:"message,omitempty"`
	// LatencyMs delays every affected call.
	LatencyMs int `json:"latencyMs,omitempty"`
	// DropRate is the probability (0 to 1) that the connection is closed with no answer.
	DropRate float64 `json:"dropRate,omitempty"`
	// Count, when positive, limits the fault to the next Count calls of the action; it then clears.
	Count int `json:"count,omitempty"`
	// AccessKeyID, when set, confines the fault to the calls signed with that AccessKeyId (one
	// tenant's account failing, the others not); such a fault is answered after the
	// signature is checked, with its Code (LatencyMs and DropRate do not apply).
	AccessKeyID string `json:"accessKeyId,omitempty"`
}

// Faults is keyed by action name; the key "*" applies to every action without its own entry.
type Faults map[string]Fault

// AllActions is the Faults key that matches every IoT action (STS GetCallerIdentity, another
// service, takes only a fault of its own).
const AllActions = "*"

func (f Fault) validate() error {
	switch {
	case f.ErrorRate < 0 || f.ErrorRate > 1:
		return fmt.Errorf("errorRate %v is not between 0 and 1", f.ErrorRate)
	case f.DropRate < 0 || f.DropRate > 1:
		return fmt.Errorf("dropRate %v is not between 0 and 1", f.DropRate)
	case f.ErrorRate > 0 && f.Code == "":
		return fmt.Errorf("errorRate needs a code")
	case f.LatencyMs < 0 || f.Count < 0:
		return fmt.Errorf("latencyMs and count must not be negative")
	case f.HTTPStatus != 0 && (f.HTTPStatus < 200 || f.HTTPStatus > 599):
		return fmt.Errorf("httpStatus %d is not an HTTP status", f.HTTPStatus)
	}
	return nil
}

type faultTable struct {
	mu     sync.Mutex
	faults Faults
}

func (t *faultTable) set(f Faults) error {
	for action, fault := range f {
		if err := fault.validate(); err != nil {
			return fmt.Errorf("fault for %s: %w", action, err)
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.faults = maps.Clone(f)
	return nil
}

func (t *faultTable) get() Faults {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := maps.Clone(t.faults)
	if out == nil {
		out = Faults{}
	}
	return out
}

// take returns the fault that applies to one call of action signed with accessKeyID ("" before
// the signature is checked: the faults of every account), counting the call against the
// fault's Count.
func (t *faultTable) take(action, accessKeyID string) (Fault, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	key := action
	f, ok := t.faults[key]
	if !ok && action != ActionGetCallerIdentity { // STS is a service of its own: only its own entry
		key = AllActions
		f, ok = t.faults[key]
	}
	if !ok || f.AccessKeyID != accessKeyID {
		return Fault{}, false
	}
	if f.Count > 0 {
		left := t.faults[key]
		left.Count--
		if left.Count == 0 {
			delete(t.faults, key)
		} else {
			t.faults[key] = left
		}
	}
	return f, true
}

// isBusinessCode tells the IoT service's own codes (answered with HTTP 200) from gateway codes.
func isBusinessCode(code string) bool {
	return strings.HasPrefix(code, "iot.") || strings.HasPrefix(code, "Iot.")
}

// gatewayStatus is the HTTP status the gateway answers a code with.
var gatewayStatus = map[string]int{
	"InternalError":                http.StatusInternalServerError,
	"UnknownError":                 http.StatusInternalServerError,
	"ServiceUnavailable":           http.StatusServiceUnavailable,
	"InvalidAccessKeyId.NotFound":  http.StatusNotFound,
	"InvalidAction.NotFound":       http.StatusNotFound,
	"SignatureDoesNotMatch":        http.StatusForbidden,
	"Forbidden":                    http.StatusForbidden,
	"Forbidden.RAM":                http.StatusForbidden,
	"Forbidden.AccessKeyDisabled":  http.StatusForbidden,
	"InvalidAccessKeyId.Inactive":  http.StatusBadRequest,
	"Throttling":                   http.StatusBadRequest,
	"Throttling.User":              http.StatusBadRequest,
	"Throttling.Api":               http.StatusBadRequest,
	"IncompleteSignature":          http.StatusBadRequest,
	"IllegalTimestamp":             http.StatusBadRequest,
	"InvalidTimeStamp.Expired":     http.StatusBadRequest,
	"SignatureNonceUsed":           http.StatusBadRequest,
	"MissingParameter":             http.StatusBadRequest,
	"InvalidParameter":             http.StatusBadRequest,
	"InvalidSecurityToken.Expired": http.StatusBadRequest,
}

var faultMessages = map[string]string{
	"Throttling":                  "Request was denied due to request throttling.",
	"Throttling.User":             "Request was denied due to user flow control.",
	"Throttling.Api":              "Request was denied due to api flow control.",
	"InternalError":               "The request processing has failed due to some unknown error, exception or failure.",
	"ServiceUnavailable":          "The request has failed due to a temporary failure of the server.",
	"SignatureDoesNotMatch":       "Specified signature is not matched with our calculation.",
	"InvalidAccessKeyId.NotFound": "Specified access key is not found.",
	"iot.system.SystemException":  "A system exception occurred.",
	"iot.prod.NotExistedProduct":  "The product does not exist.",
}

// injected is the answer to a call that a fault made fail.
func (req *apiRequest) injected(f Fault) answer {
	msg := f.Message
	if msg == "" {
		msg = faultMessages[f.Code]
	}
	if msg == "" {
		msg = "Injected fault " + f.Code + "."
	}
	status := f.HTTPStatus
	if status == http.StatusOK || status == 0 && isBusinessCode(f.Code) {
		return req.businessFailure(f.Code, msg)
	}
	if status == 0 {
		status = gatewayStatus[f.Code]
	}
	if status == 0 {
		status = http.StatusBadRequest
	}
	return req.gatewayFailure(status, f.Code, msg)
}
