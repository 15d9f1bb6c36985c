package devenvtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

// Alibaba reads and steers the simulated IoT platform at URL (devenv.Env.AlibabaURL).
type Alibaba struct{ URL string }

// Products returns every product on the platform, oldest first.
func (a Alibaba) Products(ctx context.Context) ([]alibabaiot.Product, error) {
	state, err := get[struct {
		Products []alibabaiot.Product `json:"products"`
	}](ctx, a.URL+"/_sim/state")
	return state.Products, err
}

// Calls returns the calls of action (every call when empty), oldest first.
func (a Alibaba) Calls(ctx context.Context, action string) ([]alibabaiot.Call, error) {
	log, err := get[struct {
		Calls []alibabaiot.Call `json:"calls"`
	}](ctx, a.URL+"/_sim/calls?action="+url.QueryEscape(action))
	return log.Calls, err
}

// SetFaults replaces the faults in force, keyed by action.
func (a Alibaba) SetFaults(ctx context.Context, faults alibabaiot.Faults) error {
	return Inspect(ctx, http.MethodPut, a.URL+"/_sim/faults", faults, nil)
}

// ClearFaults removes every fault.
func (a Alibaba) ClearFaults(ctx context.Context) error {
	return Inspect(ctx, http.MethodDelete, a.URL+"/_sim/faults", nil, nil)
}

// Flipsnack reads and steers the simulated Flipsnack at URL (devenv.Env.FlipsnackURL).
type Flipsnack struct{ URL string }

// Feeds returns every feed on the platform with its SKUs.
func (f Flipsnack) Feeds(ctx context.Context) ([]flipsnack.Feed, error) {
	state, err := get[struct {
		Feeds []flipsnack.Feed `json:"feeds"`
	}](ctx, f.URL+"/_sim/state")
	return state.Feeds, err
}

// Calls returns the calls of action (every call when empty), oldest first.
func (f Flipsnack) Calls(ctx context.Context, action string) ([]flipsnack.Call, error) {
	log, err := get[struct {
		Calls []flipsnack.Call `json:"calls"`
	}](ctx, f.URL+"/_sim/calls?action="+url.QueryEscape(action))
	return log.Calls, err
}

// SetFaults replaces the faults in force, keyed by action.
func (f Flipsnack) SetFaults(ctx context.Context, faults map[string]flipsnack.Fault) error {
	return Inspect(ctx, http.MethodPut, f.URL+"/_sim/faults", faults, nil)
}

// ClearFaults removes every fault.
func (f Flipsnack) ClearFaults(ctx context.Context) error {
	return Inspect(ctx, http.MethodDelete, f.URL+"/_sim/faults", nil, nil)
}

// get decodes the answer of a GET on an inspection API into a T.
func get[T any](ctx context.Context, target string) (T, error) {
	var v T
	err := Inspect(ctx, http.MethodGet, target, nil, &v)
	return v, err
}

// Inspect calls an inspection API: body, unless nil, is sent as JSON (a json.RawMessage as
// it is), and a 2xx answer is decoded into into unless it is nil.
func Inspect(ctx context.Context, method, target string, body, into any) error {
	var payload io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		payload = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, payload)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, target, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, target, err)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, target, resp.Status, raw)
	}
	if into != nil {
		if err := json.Unmarshal(raw, into); err != nil {
			return fmt.Errorf("%s %s: %w in %s", method, target, err, raw)
		}
	}
	return nil
}
