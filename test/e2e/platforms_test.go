package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// What the simulated platforms hold and were asked, read through their inspection APIs as a
// person would with curl. Only the fields the tests look at are decoded.

type alibabaPlatform struct{ url string }

type iotProduct struct {
	ProductKey  string `json:"productKey"`
	ProductName string `json:"productName"`
}

type iotCall struct {
	Action     string            `json:"action"`
	Parameters map[string]string `json:"parameters"`
	Code       string            `json:"code"`
}

// products returns every product on the platform by ProductKey.
func (p alibabaPlatform) products(t *testing.T) map[string]iotProduct {
	t.Helper()
	var state struct {
		Products []iotProduct `json:"products"`
	}
	inspect(t, http.MethodGet, p.url+"/_sim/state", "", &state)
	out := map[string]iotProduct{}
	for _, prod := range state.Products {
		out[prod.ProductKey] = prod
	}
	return out
}

// deleteCalls returns the DeleteProduct calls made for productKey, oldest first.
func (p alibabaPlatform) deleteCalls(t *testing.T, productKey string) []iotCall {
	t.Helper()
	var log struct {
		Calls []iotCall `json:"calls"`
	}
	inspect(t, http.MethodGet, p.url+"/_sim/calls?action=DeleteProduct", "", &log)
	var out []iotCall
	for _, c := range log.Calls {
		if c.Parameters["ProductKey"] == productKey {
			out = append(out, c)
		}
	}
	return out
}

// setFaults makes actions misbehave until the test ends, e.g.
// {"DeleteProduct": {"errorRate": 1, "code": "Forbidden.RAM"}}.
func (p alibabaPlatform) setFaults(t *testing.T, faults string) {
	t.Helper()
	inspect(t, http.MethodPut, p.url+"/_sim/faults", faults, nil)
	t.Cleanup(func() { inspect(t, http.MethodDelete, p.url+"/_sim/faults", "", nil) })
}

type flipsnackPlatform struct{ url string }

type feed struct {
	SourceHash string   `json:"sourceHash"`
	SKUs       []string `json:"skus"`
}

type feedCall struct {
	Action string            `json:"action"`
	Params map[string]string `json:"params"`
	Items  int               `json:"items"`
	Code   int               `json:"code"`
}

// feedCodeOK is the code Flipsnack answers a call that succeeded with.
const feedCodeOK = 20

// feeds returns every feed on the platform by sourceHash.
func (p flipsnackPlatform) feeds(t *testing.T) map[string]feed {
	t.Helper()
	var state struct {
		Feeds []feed `json:"feeds"`
	}
	inspect(t, http.MethodGet, p.url+"/_sim/state", "", &state)
	out := map[string]feed{}
	for _, f := range state.Feeds {
		out[f.SourceHash] = f
	}
	return out
}

// deleteCalls returns the products.delete calls made to the feed sourceHash, oldest first.
func (p flipsnackPlatform) deleteCalls(t *testing.T, sourceHash string) []feedCall {
	t.Helper()
	var log struct {
		Calls []feedCall `json:"calls"`
	}
	inspect(t, http.MethodGet, p.url+"/_sim/calls?action=products.delete", "", &log)
	var out []feedCall
	for _, c := range log.Calls {
		if c.Params["sourceHash"] == sourceHash {
			out = append(out, c)
		}
	}
	return out
}

func inspect(t *testing.T, method, url, body string, into any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %s: %s", method, url, resp.Status, raw)
	}
	if into != nil {
		if err := json.Unmarshal(raw, into); err != nil {
			t.Fatalf("%s %s: %v in %s", method, url, err, raw)
		}
	}
}
