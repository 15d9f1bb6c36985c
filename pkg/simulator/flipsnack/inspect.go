package flipsnack

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"
)

// Feed is one feed as the inspection API shows it.
type Feed struct {
	Account    string            `json:"account"` // AccountLabel of the owning apiKey
	SourceHash string            `json:"sourceHash"`
	SKUs       []string          `json:"skus"`     // in creation order
	Products   []json.RawMessage `json:"products"` // in the same order, with updates merged
}

// Feeds returns every feed of every account, sorted by account and sourceHash.
func (s *Server) Feeds() []Feed {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Feed
	for account, feeds := range s.feeds {
		for hash, f := range feeds {
			fd := Feed{Account: account, SourceHash: hash, SKUs: append([]string{}, f.order...)}
			for _, sku := range f.order {
				b, _ := json.Marshal(f.products[sku])
				fd.Products = append(fd.Products, b)
			}
			out = append(out, fd)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Account != out[j].Account {
			return out[i].Account < out[j].Account
		}
		return out[i].SourceHash < out[j].SourceHash
	})
	return out
}

// Seed creates products directly, bypassing credentials, rate limits, the per-request limit and
// the call log, so tests can set up large feeds without spending the budget under test. The
// products are checked and added exactly as products.create would.
func (s *Server) Seed(apiKey, sourceHash string, products []json.RawMessage) error {
	if sourceHash == "" || len(sourceHash) > MaxSourceHash {
		return errors.New("sourceHash must be 1 to 64 characters")
	}
	text, err := json.Marshal(products)
	if err != nil {
		return err
	}
	list, problems, err := parseProducts(string(text), true, len(products))
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return errors.New(problems[0])
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.create(AccountLabel(apiKey), sourceHash, list); a.Code != CodeOK {
		return errors.New(a.Data.Errors[0])
	}
	return nil
}

// Reset returns the simulator to its state when new: no feeds, no calls, no faults, and empty
// rate windows.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.feeds = map[string]map[string]*feed{}
	s.limits = map[string]*accountLimits{}
	s.faults = map[string]*Fault{}
	s.calls = nil
}

// serveInspect answers the inspection API:
//
//	GET    /_sim/state   {"feeds": [Feed...]}
//	DELETE /_sim/state   Reset
//	GET    /_sim/calls   {"calls": [Call...]}, ?action= filters
//	DELETE /_sim/calls   empty the call log
//	GET    /_sim/faults  the faults in force, keyed by action
//	PUT    /_sim/faults  replace them, e.g. {"products.delete": {"errorRate": 1, "code": "31"}}
//	DELETE /_sim/faults  clear them
func (s *Server) serveInspect(w http.ResponseWriter, r *http.Request) {
	route := r.Method + " " + r.URL.Path
	switch route {
	case "GET /_sim/state":
		feeds := s.Feeds()
		if feeds == nil {
			feeds = []Feed{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"feeds": feeds})
	case "DELETE /_sim/state":
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	case "GET /_sim/calls":
		calls := []Call{}
		action := r.URL.Query().Get("action")
		for _, c := range s.Calls() {
			if action == "" || c.Action == action {
				calls = append(calls, c)
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"calls": calls})
	case "DELETE /_sim/calls":
		s.ClearCalls()
		w.WriteHeader(http.StatusNoContent)
	case "GET /_sim/faults":
		writeJSON(w, http.StatusOK, s.Faults())
	case "PUT /_sim/faults":
		var faults map[string]Fault
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&faults); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		if err := s.SetFaults(faults); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, s.Faults())
	case "DELETE /_sim/faults":
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	default:
		switch r.URL.Path {
		case "/_sim/state", "/_sim/calls", "/_sim/faults":
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		default:
			http.NotFound(w, r)
		}
	}
}
