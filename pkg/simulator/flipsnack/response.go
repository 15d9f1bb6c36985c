package flipsnack

import (
	"encoding/json"
	"net/http"
)

// The platform's status codes.
const (
	codeOK              = 20
	codeMaintenance     = 22
	codeMissingParam    = 30
	codePerSecondLimit  = 31
	codePerMinuteLimit  = 32
	codeInvalidData     = 40
	codeBadCredentials  = 41
	codeInvalidAction   = 42
	codeForbidden       = 43
	codeBadSignature    = 44
	codeTooManyProducts = 51
)

// statusText is the status the simulator sends with each code. A success carries an empty status
// and its text in data.message, as in the documentation's example.
var statusText = map[int]string{
	codeOK:              "",
	codeMaintenance:     "Service under maintenance, please retry later",
	codeMissingParam:    "Missing mandatory parameter",
	codePerSecondLimit:  "Requests per second limit exceeded",
	codePerMinuteLimit:  "Requests per minute limit exceeded",
	codeInvalidData:     "Invalid data",
	codeBadCredentials:  "Invalid credentials",
	codeInvalidAction:   "Invalid action",
	codeForbidden:       "Forbidden",
	codeBadSignature:    "Invalid signature",
	codeTooManyProducts: "Too many products in one request",
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
	return answer{Code: codeOK, Status: statusText[codeOK], Data: answerData{Message: message, Errors: nonNil(errs)}}
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
