package alibabaiot

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"
)

// CodeOK is the code the call log shows for a call that succeeded.
const CodeOK = "OK"

// Call is one entry of the call log, as GET /_sim/calls shows it.
type Call struct {
	Time   time.Time `json:"time"`
	Action string    `json:"action"`
	// Parameters are the request's parameters (query string and form body) without the
	// signature or any credential but the AccessKeyId.
	Parameters       map[string]string `json:"parameters"`
	AccessKeyID      string            `json:"accessKeyId,omitempty"`
	SignatureVersion string            `json:"signatureVersion,omitempty"` // "v3" or "v1"
	// Code is CodeOK on success, otherwise the error code answered; empty when the connection
	// was dropped.
	Code       string `json:"code"`
	HTTPStatus int    `json:"httpStatus"` // 0 when the connection was dropped
	// RequestID is the RequestId of the answer (generated, never sent, for a dropped call).
	RequestID string `json:"requestId"`
	Fault     string `json:"fault,omitempty"` // "error" or "drop" when an injected fault decided the answer
	Dropped   bool   `json:"dropped,omitempty"`
}

// ProductPatch is drift made on the platform behind the operator's back: PATCH
// /_sim/products/{productKey}. Nil fields are left alone.
type ProductPatch struct {
	ProductName   *string `json:"productName,omitempty"`
	Description   *string `json:"description,omitempty"`
	DeviceCount   *int    `json:"deviceCount,omitempty"`
	ProductStatus *string `json:"productStatus,omitempty"`
}

// Errors of the Go inspection methods.
var (
	ErrProductNotFound = errors.New("no such product")
	ErrNameTaken       = errors.New("product name already used in this account and instance")
)

// Products returns every product, oldest first.
func (s *Server) Products() []Product { return s.store.all() }

// Calls returns the call log, oldest first; a non-empty action keeps only that action's calls.
func (s *Server) Calls(action string) []Call { return s.calls.list(action) }

// ClearCalls empties the call log.
func (s *Server) ClearCalls() { s.calls.clear() }

// SetFaults replaces every fault in effect.
func (s *Server) SetFaults(f Faults) error { return s.faults.set(f) }

// ClearFaults removes every fault.
func (s *Server) ClearFaults() { _ = s.faults.set(nil) } // no fault is always valid

// FaultsInEffect returns the faults in effect, with the calls left for counted ones.
func (s *Server) FaultsInEffect() Faults { return s.faults.get() }

// PatchProduct changes a product as someone working on the platform directly would.
func (s *Server) PatchProduct(productKey string, patch ProductPatch) (Product, error) {
	if patch.ProductName != nil && !validProductName(*patch.ProductName) {
		return Product{}, fmt.Errorf("productName %q is not a valid product name", *patch.ProductName)
	}
	if patch.Description != nil && utf8.RuneCountInString(*patch.Description) > maxDescription {
		return Product{}, fmt.Errorf("description is longer than %d characters", maxDescription)
	}
	if patch.DeviceCount != nil && *patch.DeviceCount < 0 {
		return Product{}, fmt.Errorf("deviceCount must not be negative")
	}
	if patch.ProductStatus != nil && *patch.ProductStatus != StatusDevelopment && *patch.ProductStatus != StatusRelease {
		return Product{}, fmt.Errorf("productStatus must be %s or %s", StatusDevelopment, StatusRelease)
	}
	return s.store.patch(productKey, patch)
}

// RemoveProduct deletes a product as someone working in the console would: no call is logged
// and no rule is checked (devices, owner).
func (s *Server) RemoveProduct(productKey string) error {
	if !s.store.delete(productKey) {
		return ErrProductNotFound
	}
	return nil
}

// AddProduct stores a product directly, as if made in the console, for tests and benchmarks.
// Empty fields get the platform's defaults: a fresh ProductKey, the first configured account as
// owner, DEVELOPMENT_STATUS, secret authentication, Wi-Fi, basic edition.
func (s *Server) AddProduct(p Product) (Product, error) {
	if !validProductName(p.ProductName) {
		return Product{}, fmt.Errorf("productName %q is not a valid product name", p.ProductName)
	}
	if p.ProductKey != "" && !validProductKey(p.ProductKey) {
		return Product{}, fmt.Errorf("productKey %q is not a valid ProductKey", p.ProductKey)
	}
	if p.Owner == "" {
		p.Owner = s.defaultOwner
	}
	p.ProductStatus = firstNonEmpty(p.ProductStatus, StatusDevelopment)
	p.AuthType = firstNonEmpty(p.AuthType, "secret")
	p.NetType = firstNonEmpty(p.NetType, "WIFI")
	p.AliyunCommodityCode = firstNonEmpty(p.AliyunCommodityCode, "iothub")
	if p.ValidateType == 0 {
		p.ValidateType = 1
	}
	if p.GmtCreate == 0 {
		p.GmtCreate = s.now().UnixMilli()
	}
	created, code := s.store.create(p, -1)
	if code != "" {
		return Product{}, ErrNameTaken
	}
	return created, nil
}

// Reset forgets every product, call, fault, rate-limit window and nonce: the state of New.
func (s *Server) Reset() {
	s.store.init()
	s.calls.clear()
	_ = s.faults.set(nil) // no fault is always valid
	s.limiter.init()
	s.nonces.init(2 * s.skew)
}

// inspectMux serves the inspection API:
//
//	GET    /_sim/state                 {"products": [Product...]}
//	DELETE /_sim/state                 reset everything (Reset)
//	GET    /_sim/calls[?action=A]      {"calls": [Call...]}
//	DELETE /_sim/calls                 clear the call log
//	GET    /_sim/faults                the faults in effect
//	PUT    /_sim/faults                replace the faults: {"DeleteProduct": {"errorRate": 1, "code": "InternalError"}}
//	DELETE /_sim/faults                clear the faults
//	POST   /_sim/products              add a product (AddProduct), body: a Product
//	GET    /_sim/products/{productKey} one product
//	PATCH  /_sim/products/{productKey} drift: {"productName", "description", "deviceCount", "productStatus"}
//	DELETE /_sim/products/{productKey} delete it outside the operator (RemoveProduct)
func (s *Server) inspectMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_sim/state", func(w http.ResponseWriter, r *http.Request) {
		inspectJSON(w, http.StatusOK, map[string]any{"products": s.Products()})
	})
	mux.HandleFunc("DELETE /_sim/state", func(w http.ResponseWriter, r *http.Request) {
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_sim/calls", func(w http.ResponseWriter, r *http.Request) {
		inspectJSON(w, http.StatusOK, map[string]any{"calls": s.Calls(r.URL.Query().Get("action"))})
	})
	mux.HandleFunc("DELETE /_sim/calls", func(w http.ResponseWriter, r *http.Request) {
		s.ClearCalls()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		inspectJSON(w, http.StatusOK, s.FaultsInEffect())
	})
	mux.HandleFunc("PUT /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		var f Faults
		if err := decodeStrict(r, &f); err != nil {
			inspectError(w, http.StatusBadRequest, err)
			return
		}
		if err := s.SetFaults(f); err != nil {
			inspectError(w, http.StatusBadRequest, err)
			return
		}
		inspectJSON(w, http.StatusOK, s.FaultsInEffect())
	})
	mux.HandleFunc("DELETE /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_sim/products", func(w http.ResponseWriter, r *http.Request) {
		var p Product
		if err := decodeStrict(r, &p); err != nil {
			inspectError(w, http.StatusBadRequest, err)
			return
		}
		created, err := s.AddProduct(p)
		switch {
		case errors.Is(err, ErrNameTaken):
			inspectError(w, http.StatusConflict, err)
		case err != nil:
			inspectError(w, http.StatusBadRequest, err)
		default:
			inspectJSON(w, http.StatusCreated, created)
		}
	})
	mux.HandleFunc("GET /_sim/products/{productKey}", func(w http.ResponseWriter, r *http.Request) {
		for _, p := range s.Products() {
			if p.ProductKey == r.PathValue("productKey") {
				inspectJSON(w, http.StatusOK, p)
				return
			}
		}
		inspectError(w, http.StatusNotFound, ErrProductNotFound)
	})
	mux.HandleFunc("PATCH /_sim/products/{productKey}", func(w http.ResponseWriter, r *http.Request) {
		var patch ProductPatch
		if err := decodeStrict(r, &patch); err != nil {
			inspectError(w, http.StatusBadRequest, err)
			return
		}
		p, err := s.PatchProduct(r.PathValue("productKey"), patch)
		switch {
		case errors.Is(err, ErrProductNotFound):
			inspectError(w, http.StatusNotFound, err)
		case errors.Is(err, ErrNameTaken):
			inspectError(w, http.StatusConflict, err)
		case err != nil:
			inspectError(w, http.StatusBadRequest, err)
		default:
			inspectJSON(w, http.StatusOK, p)
		}
	})
	mux.HandleFunc("DELETE /_sim/products/{productKey}", func(w http.ResponseWriter, r *http.Request) {
		if err := s.RemoveProduct(r.PathValue("productKey")); err != nil {
			inspectError(w, http.StatusNotFound, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

// decodeStrict rejects unknown fields, so a typo in a test's fault or patch fails loudly.
func decodeStrict(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("invalid JSON body: %w", err)
	}
	return nil
}

func inspectJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func inspectError(w http.ResponseWriter, status int, err error) {
	inspectJSON(w, status, map[string]string{"error": err.Error()})
}

// callLog keeps the most recent calls, up to max.
type callLog struct {
	mu    sync.Mutex
	max   int
	calls []Call
}

func (l *callLog) init(max int) {
	if max <= 0 {
		max = 100000
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.max = max
	l.calls = nil
}

func (l *callLog) add(c Call) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.calls) >= l.max {
		// Drop the oldest quarter at once, so that trimming stays cheap per call.
		drop := max(1, l.max/4)
		l.calls = append(l.calls[:0], l.calls[drop:]...)
	}
	l.calls = append(l.calls, c)
}

func (l *callLog) list(action string) []Call {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Call, 0, len(l.calls))
	for _, c := range l.calls {
		if action == "" || c.Action == action {
			out = append(out, c)
		}
	}
	return out
}

func (l *callLog) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = nil
}
