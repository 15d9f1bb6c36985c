package flipsnack

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Fault is what to do to the calls of one action (or of every action, under the key "*"), set
// with PUT /_sim/faults, e.g. {"products.delete": {"errorRate": 1, "code": "31", "count": 2}}.
type Fault struct {
	// ErrorRate is the share of calls, 0 to 1, answered with Code instead of being processed.
	ErrorRate float64 `json:"errorRate,omitempty"`
	// Code is a platform code ("31", "22", ...; default "22") answered as usual with HTTP 200, or
	// an HTTP status from 100 to 599 ("503") answered as that status with a plain-text body, as a
	// gateway in front of the API would. JSON may give it as a string or a number.
	Code string `json:"code,omitempty"`
	// Status, with a platform Code, replaces that code's standard status text, e.g. a code 40
	// worded in a way the client does not know ("Catalogue vanished").
	Status string `json:"status,omitempty"`
	// SkipSKUs makes the affected calls process the request without these SKUs and answer
	// code 20 listing them in data.errors, as products.delete documents for unknown or variant
	// SKUs ("unknown or variant SKUs are skipped") and as create or update may do too.
	SkipSKUs []string `json:"skipSKUs,omitempty"`
	// LatencyMs delays every affected call before anything else happens.
	LatencyMs int `json:"latencyMs,omitempty"`
	// DropRate is the share of calls, 0 to 1, whose connection is closed without an answer.
	DropRate float64 `json:"dropRate,omitempty"`
	// Count, when above 0, limits the fault to the next Count calls of the action; the fault is
	// removed after them.
	Count int `json:"count,omitempty"`
	// APIKey, when set, confines the fault to the calls that carry this apiKey: one account
	// throttled or failing, the others not.
	APIKey string `json:"apiKey,omitempty"`
}

// UnmarshalJSON accepts the code as a string or a number.
func (f *Fault) UnmarshalJSON(b []byte) error {
	type plain Fault
	var aux struct {
		plain
		Code json.RawMessage `json:"code"`
	}
	// Strict, so that a misspelt field ("error_rate") is an error rather than a fault that
	// silently never fires.
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&aux); err != nil {
		return err
	}
	*f = Fault(aux.plain)
	code := bytes.TrimSpace(aux.Code)
	switch {
	case len(code) == 0 || bytes.Equal(code, []byte("null")):
		f.Code = ""
	case code[0] == '"':
		if err := json.Unmarshal(code, &f.Code); err != nil {
			return err
		}
	default:
		var n json.Number
		if err := json.Unmarshal(code, &n); err != nil {
			return fmt.Errorf("fault code must be a string or a number: %w", err)
		}
		f.Code = n.String()
	}
	f.Code = strings.TrimSpace(f.Code)
	return nil
}

func (f Fault) validate() error {
	if f.ErrorRate < 0 || f.ErrorRate > 1 || f.DropRate < 0 || f.DropRate > 1 {
		return errors.New("errorRate and dropRate must be between 0 and 1")
	}
	if f.LatencyMs < 0 || f.Count < 0 {
		return errors.New("latencyMs and count must not be negative")
	}
	if f.Code != "" {
		if n, err := strconv.Atoi(f.Code); err != nil || n <= 0 || n > 599 {
			return fmt.Errorf("code %q is not a platform code or an HTTP status", f.Code)
		}
	}
	return nil
}

// SetFaults replaces every fault. An invalid fault rejects the whole set.
func (s *Server) SetFaults(faults map[string]Fault) error {
	next := make(map[string]*Fault, len(faults))
	for action, f := range faults {
		if err := f.validate(); err != nil {
			return fmt.Errorf("fault for %q: %w", action, err)
		}
		next[action] = &f
	}
	s.mu.Lock()
	s.faults = next
	s.mu.Unlock()
	return nil
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults = map[string]*Fault{}
	s.mu.Unlock()
}

// Faults returns the faults in force (with what is left of their counts).
func (s *Server) Faults() map[string]Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]Fault, len(s.faults))
	for k, f := range s.faults {
		out[k] = *f
	}
	return out
}

// injected is what the fault chose for one call.
type injected struct {
	latencyMs int
	drop      bool
	code      int // platform code, or HTTP status when >= 100; 0 when the call is processed
	status    string
	skip      []string
}

// takeFault decides the fault for one call of action with apiKey, charging it to the fault's
// count.
func (s *Server) takeFault(action, apiKey string) injected {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := action
	f := s.faults[key]
	if f == nil {
		key = "*"
		f = s.faults[key]
	}
	if f == nil || (f.APIKey != "" && f.APIKey != apiKey) {
		return injected{}
	}
	if f.Count > 0 {
		f.Count--
		if f.Count == 0 {
			delete(s.faults, key)
		}
	}
	in := injected{latencyMs: f.LatencyMs, status: f.Status, skip: f.SkipSKUs}
	if f.DropRate > 0 && s.rand() < f.DropRate {
		in.drop = true
		return in
	}
	if f.ErrorRate > 0 && s.rand() < f.ErrorRate {
		in.code = CodeMaintenance
		if f.Code != "" {
			in.code, _ = strconv.Atoi(f.Code)
		}
	}
	return in
}
