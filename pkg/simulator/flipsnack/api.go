package flipsnack

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

// The actions the platform offers for product feeds.
const (
	ActionProductsCreate = "products.create"
	ActionProductsUpdate = "products.update"
	ActionProductsDelete = "products.delete"
)

// serveAPI answers one API call: faults first (as a failing network or gateway would), then the
// platform's own checks in the order a caller meets them: mandatory parameters (30), credentials
// (41), signature (44), rate limits (31, 32), action (42), parameters (30, 40, 51), and the feed.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		// The documentation's HTML example submits a GET form, so GET is served too.
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	call := Call{Time: s.now()}
	r.Body = http.MaxBytesReader(w, r.Body, maxRequestBody)
	params, err := parseParams(r)
	if err != nil {
		a := fail(CodeInvalidData, "the request body could not be read as a form")
		s.record(call, a.Code, http.StatusOK, "")
		writeAnswer(w, a)
		return
	}
	call.Action = params["action"]
	if key := params["apiKey"]; key != "" {
		call.Account = AccountLabel(key)
	}
	call.Params = logParams(params)
	call.Items = countItems(call.Action, params)
	call.SKUs = requestSKUs(call.Action, params)

	in := s.takeFault(call.Action, params["apiKey"])
	if in.latencyMs > 0 {
		// A client that gives up waiting does not stop the server: the call is still processed,
		// and its answer is lost, as on a real platform.
		t := time.NewTimer(time.Duration(in.latencyMs) * time.Millisecond)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}
	switch {
	case in.drop:
		s.record(call, 0, 0, "drop")
		drop(w)
		return
	case in.code >= 100:
		s.record(call, 0, in.code, "error")
		http.Error(w, http.StatusText(in.code), in.code)
		return
	case in.code > 0:
		a := fail(in.code)
		if in.status != "" {
			a.Status = in.status
		}
		s.record(call, a.Code, http.StatusOK, "error")
		writeAnswer(w, a)
		return
	}

	a := s.handle(params, in.skip)
	fault := ""
	if r.Context().Err() != nil {
		fault = "answer lost"
	}
	s.record(call, a.Code, http.StatusOK, fault)
	writeAnswer(w, a)
}

// drop closes the connection without an answer, as a crashed server or a broken network would.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// HTTP/2 cannot hijack; aborting the handler resets the stream instead.
	panic(http.ErrAbortHandler)
}

// handle checks and performs a call that no fault intercepted; the SKUs of skip (a SkipSKUs
// fault) are taken out of it once it is authenticated, and listed as skipped in a success.
func (s *Server) handle(params map[string]string, skip []string) answer {
	a, skipped := s.handleSkipping(params, skip)
	if len(skipped) > 0 && a.Code == CodeOK {
		a.Data.Errors = append(a.Data.Errors, skipped...)
	}
	return a
}

func (s *Server) handleSkipping(params map[string]string, skip []string) (answer, []string) {
	var skipped []string
	if len(skip) > 0 {
		a := s.authenticate(params)
		if a.Code != 0 {
			return a, nil
		}
		params, skipped = withoutSKUs(params, skip)
		if params["products"] == "[]" || (params["action"] == ActionProductsDelete && params["productsSKU"] == "") {
			return ok("nothing left to process"), skipped
		}
		return s.perform(params, true), skipped
	}
	return s.perform(params, false), nil
}

// authenticate checks the mandatory parameters, the apiKey and the signature; a zero answer
// means they are right.
func (s *Server) authenticate(params map[string]string) answer {
	for _, name := range []string{"apiKey", "signature", "action"} {
		if params[name] == "" {
			return fail(CodeMissingParam, name+" parameter is missing")
		}
	}
	secret, known := s.secrets[params["apiKey"]]
	if !known {
		return fail(CodeBadCredentials)
	}
	if !validSignature(secret, params) {
		return fail(CodeBadSignature)
	}
	return answer{}
}

// perform checks (unless authenticated already) and performs a call.
func (s *Server) perform(params map[string]string, authenticated bool) answer {
	if !authenticated {
		if a := s.authenticate(params); a.Code != 0 {
			return a
		}
	}

	account := AccountLabel(params["apiKey"])
	action := params["action"]
	s.mu.Lock()
	defer s.mu.Unlock()
	if code := s.limitsFor(account).admit(s.now()); code != 0 {
		return fail(code)
	}
	if action != ActionProductsCreate && action != ActionProductsUpdate && action != ActionProductsDelete {
		return fail(CodeInvalidAction)
	}

	sourceHash := params["sourceHash"]
	switch {
	case sourceHash == "":
		return fail(CodeMissingParam, "sourceHash parameter is missing")
	case len(sourceHash) > MaxSourceHash:
		return fail(CodeInvalidData, "sourceHash is longer than 64 characters")
	}

	if action == ActionProductsDelete {
		text := params["productsSKU"]
		if text == "" {
			return fail(CodeMissingParam, "productsSKU parameter is missing")
		}
		skus, problems, err := parseSKUs(text, s.maxProducts)
		if a, bad := badInput(err, problems); bad {
			return a
		}
		return s.remove(account, sourceHash, skus)
	}

	text := params["products"]
	if text == "" {
		return fail(CodeMissingParam, "products parameter is missing")
	}
	products, problems, err := parseProducts(text, action == ActionProductsCreate, s.maxProducts)
	if a, bad := badInput(err, problems); bad {
		return a
	}
	if action == ActionProductsCreate {
		return s.create(account, sourceHash, products)
	}
	return s.update(account, sourceHash, products)
}

// badInput turns a parse outcome into 51 or 40; a request with any problem is rejected whole.
func badInput(err error, problems []string) (answer, bool) {
	switch {
	case errors.Is(err, errTooMany):
		return fail(CodeTooManyProducts), true
	case err != nil:
		return fail(CodeInvalidData, err.Error()), true
	case len(problems) > 0:
		return fail(CodeInvalidData, problems...), true
	}
	return answer{}, false
}

// withoutSKUs takes the SKUs of a SkipSKUs fault out of a call's products or productsSKU, and
// returns the data.errors entries that say they were skipped.
func withoutSKUs(params map[string]string, skip []string) (map[string]string, []string) {
	drop := map[string]bool{}
	for _, sku := range skip {
		drop[sku] = true
	}
	out := make(map[string]string, len(params))
	for k, v := range params {
		out[k] = v
	}
	var skipped []string
	note := func(sku string) { skipped = append(skipped, "SKU "+sku+" was skipped") }
	switch params["action"] {
	case ActionProductsDelete:
		var kept []string
		for _, sku := range strings.Split(params["productsSKU"], ",") {
			if drop[strings.TrimSpace(sku)] {
				note(strings.TrimSpace(sku))
				continue
			}
			kept = append(kept, sku)
		}
		out["productsSKU"] = strings.Join(kept, ",")
	case ActionProductsCreate, ActionProductsUpdate:
		var items []map[string]json.RawMessage
		if json.Unmarshal([]byte(params["products"]), &items) != nil {
			return params, nil
		}
		kept := []map[string]json.RawMessage{}
		for _, item := range items {
			if code, _ := scalarText(item["code"]); drop[code] {
				note(code)
				continue
			}
			kept = append(kept, item)
		}
		b, _ := json.Marshal(kept)
		out["products"] = string(b)
	}
	return out, skipped
}
