package flipsnack

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// maxRequestBody bounds a request: 500 generous products fit many times over.
const maxRequestBody = 32 << 20

// parseParams reads the request's parameters from the query string and from a form body, either
// application/x-www-form-urlencoded or multipart/form-data (the documentation's curl -F example).
// A parameter given twice counts with its first value, body before query as net/http orders them.
// File parts are ignored: the documentation leaves them out of the signature and no products
// action takes one.
func parseParams(r *http.Request) (map[string]string, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	if ct == "multipart/form-data" {
		err = r.ParseMultipartForm(8 << 20)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		return nil, err
	}
	params := make(map[string]string, len(r.Form))
	for name, values := range r.Form {
		if len(values) > 0 {
			params[name] = values[0]
		}
	}
	return params, nil
}

// product is one entry of a products parameter, its fields kept as sent so that an update can
// merge them.
type product struct {
	code   string
	fields map[string]json.RawMessage
}

// errTooMany marks a products or productsSKU list over the per-request limit (code 51).
var errTooMany = errors.New("too many products in one request")

// parseProducts reads a products parameter: a JSON array of objects, each following the
// documented product schema (schemaProblems) with a non-empty code (the SKU, a string) and,
// when needType, a non-empty type. Every problem is listed, as the
// platform's data.errors would; more than max entries is errTooMany before anything else.
func parseProducts(text string, needType bool, max int) ([]product, []string, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return nil, nil, fmt.Errorf("products is not a JSON array: %v", err)
	}
	if len(raw) == 0 {
		return nil, nil, errors.New("products is empty")
	}
	if len(raw) > max {
		return nil, nil, errTooMany
	}
	var problems []string
	list := make([]product, 0, len(raw))
	seen := map[string]bool{}
	for i, item := range raw {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(item, &fields); err != nil || fields == nil {
			problems = append(problems, fmt.Sprintf("product %d is not an object", i))
			continue
		}
		if errs := schemaProblems(i, fields, needType); len(errs) > 0 {
			problems = append(problems, errs...)
			continue
		}
		code, ok := scalarText(fields["code"])
		if !ok || code == "" {
			problems = append(problems, fmt.Sprintf("products[%d].code: empty", i))
			continue
		}
		if t, ok := scalarText(fields["type"]); needType && (!ok || t == "") {
			problems = append(problems, fmt.Sprintf("products[%d].type: empty", i))
			continue
		}
		if seen[code] {
			problems = append(problems, fmt.Sprintf("product %s: duplicate code in request", code))
			continue
		}
		seen[code] = true
		list = append(list, product{code: code, fields: fields})
	}
	return list, problems, nil
}

// parseSKUs splits a productsSKU parameter ("SKU-01,SKU-02,SKU-03"), trimming spaces and
// ignoring empty entries. A repeated SKU is reported as a problem.
func parseSKUs(text string, max int) ([]string, []string, error) {
	var skus, problems []string
	seen := map[string]bool{}
	for _, s := range strings.Split(text, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if seen[s] {
			problems = append(problems, fmt.Sprintf("SKU %s: duplicate in request", s))
			continue
		}
		seen[s] = true
		skus = append(skus, s)
	}
	if len(skus)+len(problems) > max {
		return nil, nil, errTooMany
	}
	if len(skus) == 0 {
		return nil, nil, errors.New("productsSKU lists no SKU")
	}
	return skus, problems, nil
}

// scalarText is a JSON string's value or a number's text; anything else is not a scalar.
func scalarText(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return strings.TrimSpace(s), true
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		var n json.Number
		if json.Unmarshal(raw, &n) != nil {
			return "", false
		}
		return n.String(), true
	}
	return "", false
}
