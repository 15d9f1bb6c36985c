package flipsnack

import (
	"encoding/json"
	"net/http"
)

// The platform's status codes.
const (
	CodeOK              = 20
	CodeMaintenance     = 22
	CodeMissingParam    = 30
	CodePerSecondLimit  = 31
	CodePerMinuteLimit  = 32
	CodeInvalidData     = 40
	CodeBadCredentials  = 41
	CodeInvalidAction   = 42
	CodeForbidden       = 43
	CodeBadSignature    = 44
	CodeTooManyProducts = 51
)

// statusText is the status the simulator sends with each code. A success carries an empty status
// and its text in data.message, as in the documentation's example.
var statusText = map[int]string{
	CodeOK:              "",
	CodeMaintenance:     "Service under maintenance, please retry later",
	CodeMissingParam:    "Missing mandatory parameter",
	CodePerSecondLimit:  "Requests per second limit exceeded",
	CodePerMinuteLimit:  "Requests per minute limit exceeded",
	CodeInvalidData:     "Invalid data",
	CodeBadCredentials:  "Invalid credentials",
	CodeInvalidAction:   "Invalid action",
	CodeForbidden:       "Forbidden",
	CodeBadSignature:    "Invalid signature",
	CodeTooManyProducts: "Too many products in one request",
}

// answer is one API response before encoding.
type answer struct {
	Code   int        `json:"code"`
	Status string     `json:"status"`
	Data   answerData `json:"data"`
}

type answerData struct {
	Message string   `json:"message"`
	Errors  []string `json:"errors"`
}

// fail builds an error answer with the code's standard status.
func fail(code int, errs ...string) answer {
	return answer{Code: code, Status: statusText[code], Data: answerData{Errors: nonNil(errs)}}
}

// failWith builds an error answer with a status of its own (e.g. "Source not found").
func failWith(code int, status string, errs ...string) answer {
	return answer{Code: code, Status: status, Data: answerData{Errors: nonNil(errs)}}
}

func ok(message string, errs ...string) answer {
	return answer{Code: CodeOK, Status: statusText[CodeOK], Data: answerData{Message: message, Errors: nonNil(errs)}}
}

// nonNil keeps "errors": [] rather than null, as in the documentation.
func nonNil(errs []string) []string {
	if errs == nil {
		return []string{}
	}
	return errs
}

// writeAnswer sends an answer. Every API answer, error or not, is HTTP 200 with the code in the
// body: the documentation shows no other HTTP status, and clients must read the code anyway.
func writeAnswer(w http.ResponseWriter, a answer) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(a)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
