package alibabaiot

import (
	"net/http"
	"strings"
	"testing"
)

func TestInspectionAPI(t *testing.T) {
	e := newTestEnv(t, Options{})
	c := e.client
	key := c.call(ActionCreateProduct, map[string]string{"ProductName": "inspect_me", "NodeType": "0", "IotInstanceId": "iot-cn-x"}).str("ProductKey")
	c.call(ActionDeleteProduct, map[string]string{"ProductKey": "a1NoSuchKey"})

	t.Run("GET /_sim/state lists every product with all its fields", func(t *testing.T) {
		var state struct{ Products []map[string]any }
		if code := getJSON(t, http.MethodGet, e.srv.URL+"/_sim/state", "", &state); code != http.StatusOK {
			t.Fatalf("HTTP %d", code)
		}
		if len(state.Products) != 1 {
			t.Fatalf("products = %v", state.Products)
		}
		p := state.Products[0]
		for k, v := range map[string]any{
			"productKey": key, "productName": "inspect_me", "iotInstanceId": "iot-cn-x", "deviceCount": 0.0,
			"productStatus": StatusDevelopment, "nodeType": 0.0, "authType": "secret", "netType": "WIFI", "owner": testKeyID,
		} {
			if p[k] != v {
				t.Errorf("%s = %v, want %v", k, p[k], v)
			}
		}
		if _, leaked := p["productSecret"]; leaked {
			t.Error("the state shows the ProductSecret")
		}
	})

	t.Run("GET /_sim/calls logs each call without signature or secrets", func(t *testing.T) {
		var log struct{ Calls []Call }
		getJSON(t, http.MethodGet, e.srv.URL+"/_sim/calls", "", &log)
		if len(log.Calls) != 2 {
			t.Fatalf("calls = %+v", log.Calls)
		}
		create, del := log.Calls[0], log.Calls[1]
		if create.Action != ActionCreateProduct || create.Code != CodeOK || create.HTTPStatus != 200 || create.RequestID == "" ||
			create.Parameters["ProductName"] != "inspect_me" || create.AccessKeyID != testKeyID || create.SignatureVersion != SignatureV3 {
			t.Errorf("create logged as %+v", create)
		}
		if del.Action != ActionDeleteProduct || del.Code != CodeNotExistedProduct {
			t.Errorf("delete logged as %+v", del)
		}
	})

	t.Run("GET /_sim/calls?action= filters", func(t *testing.T) {
		var log struct{ Calls []Call }
		getJSON(t, http.MethodGet, e.srv.URL+"/_sim/calls?action=DeleteProduct", "", &log)
		if len(log.Calls) != 1 || log.Calls[0].Action != ActionDeleteProduct {
			t.Errorf("calls = %+v", log.Calls)
		}
	})

	t.Run("PATCH /_sim/products/{key} drifts a product", func(t *testing.T) {
		var p Product
		code := getJSON(t, http.MethodPatch, e.srv.URL+"/_sim/products/"+key,
			`{"productName": "renamed_on_console", "description": "changed", "deviceCount": 3, "productStatus": "RELEASE_STATUS"}`, &p)
		if code != http.StatusOK || p.ProductName != "renamed_on_console" || p.DeviceCount != 3 || p.ProductStatus != StatusRelease || p.Description != "changed" {
			t.Fatalf("HTTP %d %+v", code, p)
		}
		got := c.call(ActionQueryProduct, map[string]string{"ProductKey": key, "IotInstanceId": "iot-cn-x"}).data()
		if got["ProductName"] != "renamed_on_console" || got["DeviceCount"] != 3.0 || got["ProductStatus"] != StatusRelease {
			t.Errorf("QueryProduct after drift = %v", got)
		}
		if code := getJSON(t, http.MethodPatch, e.srv.URL+"/_sim/products/a1NoSuchKey", `{"deviceCount": 1}`, nil); code != http.StatusNotFound {
			t.Errorf("unknown product: HTTP %d", code)
		}
		if code := getJSON(t, http.MethodPatch, e.srv.URL+"/_sim/products/"+key, `{"productStatus": "GONE"}`, nil); code != http.StatusBadRequest {
			t.Errorf("bad status: HTTP %d", code)
		}
		if code := getJSON(t, http.MethodPatch, e.srv.URL+"/_sim/products/"+key, `{"devicecnt": 1}`, nil); code != http.StatusBadRequest {
			t.Errorf("unknown field: HTTP %d", code)
		}
	})

	t.Run("DELETE /_sim/products/{key} removes a product outside the API", func(t *testing.T) {
		gone := c.call(ActionCreateProduct, map[string]string{"ProductName": "removed_on_console", "NodeType": "0", "IotInstanceId": "iot-cn-x"}).data()["ProductKey"].(string)
		before := len(e.sim.Calls(""))
		if code := getJSON(t, http.MethodDelete, e.srv.URL+"/_sim/products/"+gone, "", nil); code != http.StatusNoContent {
			t.Fatalf("HTTP %d", code)
		}
		if len(e.sim.Calls("")) != before {
			t.Errorf("the removal was logged as a call")
		}
		if got := c.call(ActionQueryProduct, map[string]string{"ProductKey": gone, "IotInstanceId": "iot-cn-x"}); got.code() != CodeNotExistedProduct {
			t.Errorf("QueryProduct after the removal = %+v", got)
		}
		if code := getJSON(t, http.MethodDelete, e.srv.URL+"/_sim/products/"+gone, "", nil); code != http.StatusNotFound {
			t.Errorf("removed twice: HTTP %d", code)
		}
	})

	t.Run("PUT, GET and DELETE /_sim/faults", func(t *testing.T) {
		var f Faults
		code := getJSON(t, http.MethodPut, e.srv.URL+"/_sim/faults", `{"DeleteProduct": {"errorRate": 0.2, "code": "Throttling.User", "latencyMs": 50}}`, &f)
		if code != http.StatusOK || f[ActionDeleteProduct].Code != "Throttling.User" || f[ActionDeleteProduct].LatencyMs != 50 {
			t.Fatalf("HTTP %d %+v", code, f)
		}
		if code := getJSON(t, http.MethodPut, e.srv.URL+"/_sim/faults", `{"DeleteProduct": {"errorRate": 2, "code": "X"}}`, nil); code != http.StatusBadRequest {
			t.Errorf("invalid fault: HTTP %d", code)
		}
		if code := getJSON(t, http.MethodDelete, e.srv.URL+"/_sim/faults", "", nil); code != http.StatusNoContent {
			t.Errorf("DELETE: HTTP %d", code)
		}
		if len(e.sim.FaultsInEffect()) != 0 {
			t.Error("faults not cleared")
		}
	})

	t.Run("DELETE /_sim/calls clears the log", func(t *testing.T) {
		getJSON(t, http.MethodDelete, e.srv.URL+"/_sim/calls", "", nil)
		if n := len(e.sim.Calls("")); n != 0 {
			t.Errorf("%d calls left", n)
		}
	})

	t.Run("DELETE /_sim/state resets", func(t *testing.T) {
		getJSON(t, http.MethodDelete, e.srv.URL+"/_sim/state", "", nil)
		if n := len(e.sim.Products()); n != 0 {
			t.Errorf("%d products left", n)
		}
	})
}

func TestCallLogNeverHoldsSecrets(t *testing.T) {
	e := newTestEnv(t, Options{Accounts: []Account{{AccessKeyID: "STS.key", AccessKeySecret: "sts-secret-value", SecurityToken: "sts-token-value"}}})
	for _, v1 := range []bool{false, true} {
		c := e.newClient("STS.key", "sts-secret-value")
		c.token, c.v1 = "sts-token-value", v1
		c.call(ActionQueryProduct, map[string]string{"ProductKey": "a1AAAAAAAAA"})
	}
	var raw strings.Builder
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/_sim/calls", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 64<<10)
	for {
		n, err := resp.Body.Read(buf)
		raw.Write(buf[:n])
		if err != nil {
			break
		}
	}
	for _, secret := range []string{"sts-secret-value", "sts-token-value", `"Signature"`} {
		if strings.Contains(raw.String(), secret) {
			t.Errorf("the call log holds %s:\n%s", secret, raw.String())
		}
	}
	if !strings.Contains(raw.String(), `"SignatureNonce"`) {
		t.Errorf("the V1 call's common parameters are missing:\n%s", raw.String())
	}
}

func TestAddProductViaInspectionAPI(t *testing.T) {
	e := newTestEnv(t, Options{})
	var p Product
	if code := getJSON(t, http.MethodPost, e.srv.URL+"/_sim/products", `{"productName": "seeded_product", "deviceCount": 2}`, &p); code != http.StatusCreated {
		t.Fatalf("HTTP %d", code)
	}
	if got := e.client.call(ActionQueryProduct, map[string]string{"ProductKey": p.ProductKey}).data(); got["DeviceCount"] != 2.0 {
		t.Errorf("QueryProduct = %v", got)
	}
	if code := getJSON(t, http.MethodPost, e.srv.URL+"/_sim/products", `{"productName": "seeded_product"}`, nil); code != http.StatusConflict {
		t.Errorf("duplicate: HTTP %d", code)
	}
}
