package flipsnack

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Call is one entry of the call log.
type Call struct {
	Time    time.Time `json:"time"`              // when the request reached the simulator
	Action  string    `json:"action"`            // as sent, possibly empty or unknown
	Account string    `json:"account,omitempty"` // AccountLabel of the apiKey sent, never the key
	// Params are the request's parameters without apiKey and signature; long values (products,
	// productsSKU) are cut short.
	Params map[string]string `json:"params,omitempty"`
	// Items is the number of products or SKUs the request carried.
	Items int `json:"items"`
	// SKUs are, in full and in order, the SKUs the request carried: the codes of the products
	// of products.create and products.update, the productsSKU of products.delete.
	SKUs []string `json:"skus,omitempty"`
	// Code is the platform code answered; 0 when the answer was an HTTP error or none at all.
	Code int `json:"code"`
	// HTTPStatus is the HTTP status answered; 0 when the connection was dropped.
	HTTPStatus int `json:"httpStatus"`
	// Fault says which injected fault decided the answer: "error", "drop", or "answer lost" when
	// the caller gave up during injected latency (the call was still processed); empty for a
	// call processed and answered normally.
	Fault string `json:"fault,omitempty"`
}

// maxCalls bounds the call log; the oldest half is dropped when it is full.
const maxCalls = 20000

// maxParamLog is how much of one parameter value the call log keeps.
const maxParamLog = 200

func (s *Server) record(c Call, code, httpStatus int, fault string) {
	c.Code, c.HTTPStatus, c.Fault = code, httpStatus, fault
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.calls) >= maxCalls {
		s.calls = append(s.calls[:0], s.calls[maxCalls/2:]...)
	}
	s.calls = append(s.calls, c)
}

// logParams copies the parameters worth logging: never the apiKey or the signature (the secret
// is never sent at all).
func logParams(params map[string]string) map[string]string {
	out := make(map[string]string, len(params))
	for k, v := range params {
		if k == "apiKey" || k == "signature" {
			continue
		}
		if len(v) > maxParamLog {
			v = strings.ToValidUTF8(v[:maxParamLog], "") + fmt.Sprintf("...(%d bytes)", len(v))
		}
		out[k] = v
	}
	return out
}

// countItems counts the products or SKUs of a request, whether or not it is valid.
func countItems(action string, params map[string]string) int {
	if action == ActionProductsDelete {
		n := 0
		for _, s := range strings.Split(params["productsSKU"], ",") {
			if strings.TrimSpace(s) != "" {
				n++
			}
		}
		return n
	}
	var list []json.RawMessage
	if json.Unmarshal([]byte(params["products"]), &list) != nil {
		return 0
	}
	return len(list)
}

// requestSKUs lists the SKUs a request carried, as far as they can be read: the products'
// codes, or the productsSKU of a delete.
func requestSKUs(action string, params map[string]string) []string {
	var skus []string
	if action == ActionProductsDelete {
		for _, s := range strings.Split(params["productsSKU"], ",") {
			if s = strings.TrimSpace(s); s != "" {
				skus = append(skus, s)
			}
		}
		return skus
	}
	var list []struct {
		Code any `json:"code"`
	}
	if json.Unmarshal([]byte(params["products"]), &list) != nil {
		return nil
	}
	for _, p := range list {
		if code, ok := p.Code.(string); ok {
			skus = append(skus, code)
		}
	}
	return skus
}

// Calls returns a copy of the call log, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallsFor returns the calls of one action (ActionProductsCreate, ...), oldest first; an
// empty action returns them all.
func (s *Server) CallsFor(action string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if action == "" || c.Action == action {
			out = append(out, c)
		}
	}
	return out
}

// ClearCalls empties the call log.
func (s *Server) ClearCalls() {
	s.mu.Lock()
	s.calls = nil
	s.mu.Unlock()
}
