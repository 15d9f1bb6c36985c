package alibabaiot

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// Each step is one API call and the code it must be answered with ("" = success). Steps run in
// order against one simulator, so later steps see what earlier ones made; "$key" in a parameter
// is the ProductKey of the last product created.
type step struct {
	action   string
	params   map[string]string
	wantCode string
	client   string // "" the default account, "other" a second account
}

func runSteps(t *testing.T, steps []step) {
	t.Helper()
	e := newTestEnv(t, Options{Accounts: []Account{
		{AccessKeyID: testKeyID, AccessKeySecret: testSecret},
		{AccessKeyID: "LTAIother", AccessKeySecret: "other-secret"},
	}})
	clients := map[string]*testClient{"": e.client, "other": e.newClient("LTAIother", "other-secret")}
	lastKey := ""
	for i, s := range steps {
		params := map[string]string{}
		for k, v := range s.params {
			params[k] = strings.ReplaceAll(v, "$key", lastKey)
		}
		got := clients[s.client].call(s.action, params)
		if got.Status != http.StatusOK {
			t.Fatalf("step %d %s %v: HTTP %d %v", i+1, s.action, params, got.Status, got.Body)
		}
		if got.code() != s.wantCode {
			t.Fatalf("step %d %s %v: code %q, want %q (%v)", i+1, s.action, params, got.code(), s.wantCode, got.Body)
		}
		if s.wantCode == "" && got.Body["Success"] != true {
			t.Fatalf("step %d %s: Success is not true: %v", i+1, s.action, got.Body)
		}
		if s.wantCode != "" && (got.Body["Success"] != false || got.str("ErrorMessage") == "" || got.str("RequestId") == "") {
			t.Fatalf("step %d %s: a business error needs Success false, ErrorMessage and RequestId: %v", i+1, s.action, got.Body)
		}
		if s.action == ActionCreateProduct && s.wantCode == "" {
			lastKey = got.str("ProductKey")
		}
	}
}

func TestCreateProductValidation(t *testing.T) {
	create := func(name string, extra ...string) map[string]string {
		p := map[string]string{"ProductName": name, "NodeType": "0"}
		for i := 0; i+1 < len(extra); i += 2 {
			p[extra[i]] = extra[i+1]
		}
		return p
	}
	tests := []struct {
		name     string
		params   map[string]string
		wantCode string
	}{
		{"letters, digits and underscores", create("Smart_Lamp_01"), ""},
		{"4 characters is the shortest name", create("lamp"), ""},
		{"30 characters is the longest name", create(strings.Repeat("a", 30)), ""},
		{"3 characters is too short", create("abc"), CodeInvalidFormattedProductName},
		{"31 characters is too long", create(strings.Repeat("a", 31)), CodeInvalidFormattedProductName},
		{"a hyphen is not allowed", create("smart-lamp"), CodeInvalidFormattedProductName},
		{"a space is not allowed", create("smart lamp"), CodeInvalidFormattedProductName},
		{"two Chinese characters count as four", create("灯泡"), ""},
		{"fifteen Chinese characters count as thirty", create(strings.Repeat("灯", 15)), ""},
		{"sixteen Chinese characters count as thirty-two", create(strings.Repeat("灯", 16)), CodeInvalidFormattedProductName},
		{"one Chinese character and one letter count as three", create("灯a"), CodeInvalidFormattedProductName},
		{"no name", map[string]string{"NodeType": "0"}, CodeNullProductName},
		{"gateway node type", create("gateway_1", "NodeType", "1"), ""},
		{"node type 2", create("lamp_2", "NodeType", "2"), CodeInvalidNodeType},
		{"no node type", map[string]string{"ProductName": "lamp_3"}, CodeInvalidNodeType},
		{"100-character description", create("lamp_4", "Description", strings.Repeat("d", 100)), ""},
		{"101-character description", create("lamp_5", "Description", strings.Repeat("d", 101)), CodeLongProductDesc},
		{"senior edition with Alink JSON", create("lamp_6", "AliyunCommodityCode", "iothub_senior", "DataFormat", "1"), ""},
		{"senior edition without DataFormat", create("lamp_7", "AliyunCommodityCode", "iothub_senior"), CodeInvalidFormattedParameter},
		{"unknown edition", create("lamp_8", "AliyunCommodityCode", "iothub_pro"), CodeInvalidAliyunCommodityCode},
		{"the basic edition is had by leaving the code out", create("lamp_16", "DataFormat", "1"), ""},
		{"the basic edition's code is not accepted as input", create("lamp_17", "AliyunCommodityCode", "iothub"), CodeInvalidAliyunCommodityCode},
		{"an empty edition is not accepted either", create("lamp_18", "AliyunCommodityCode", ""), CodeInvalidAliyunCommodityCode},
		{"DataFormat 2", create("lamp_9", "DataFormat", "2"), CodeInvalidFormattedParameter},
		{"ID² authentication without the service", create("lamp_10", "AuthType", "id2"), CodeNotOpenID2Service},
		{"x509 authentication", create("lamp_11", "AuthType", "x509"), ""},
		{"unknown authentication", create("lamp_12", "AuthType", "password"), CodeInvalidFormattedParameter},
		{"cellular network", create("lamp_13", "NetType", "CELLULAR"), ""},
		{"unknown network", create("lamp_14", "NetType", "5G"), CodeInvalidFormattedParameter},
		{"unknown protocol", create("lamp_15", "ProtocolType", "can"), CodeInvalidFormattedParameter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runSteps(t, []step{{action: ActionCreateProduct, params: tt.params, wantCode: tt.wantCode}})
		})
	}
}

func TestProductLifecycleSpecification(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
	}{
		{"a product name is unique within an instance", []step{
			{action: ActionCreateProduct, params: map[string]string{"ProductName": "lamp_one", "NodeType": "0"}},
			{action: ActionCreateProduct, params: map[string]string{"ProductName": "lamp_one", "NodeType": "1"}, wantCode: CodeAlreadyExistedProductName},
		}},
		{"the same name may exist in another instance", []step{
			{action: ActionCreateProduct, params: map[string]string{"ProductName": "lamp_one", "NodeType": "0"}},
			{action: ActionCreateProduct, params: map[string]string{"ProductName": "lamp_one", "NodeType": "0", "IotInstanceId": "iot-cn-instance2"}},
		}},
		{"the same name may exist in another account", []step{
			{action: ActionCreateProduct, params: map[string]string{"ProductName": "lamp_one", "NodeType": "0"}},
			{action: ActionCreateProduct, params: map[string]string{"ProductName": "lamp_one", "NodeType": "0"}, client: "other"},
		}},
		{"a product is found only in its own instance", []step{
			{action: ActionCreateProduct, params: map[string]string{"ProductName": "lamp_one", "NodeType": "0", "IotInstanceId": "iot-cn-instance2"}},
			{action: ActionQueryProduct, params: map[string]string{"ProductKey": "$key", "IotInstanceId": "iot-cn-instance2"}},
			{action: ActionQueryProduct, params: map[string]string{"ProductKey": "$key"}, wantCode: CodeNotExistedProduct},
			{action: ActionDeleteProduct, params: map[string]string{"ProductKey": "$key"}, wantCode: CodeNotExistedProduct},
		}},
		{"another account's product does not exist for the caller", []step{
			{action: ActionCreateProduct, params: map[string]string{"ProductName": "lamp_one", "NodeType": "0"}},
			{action: ActionQueryProduct, params: map[string]string{"ProductKey": "$key"}, client: "other", wantCode: CodeNotExistedProduct},
		}},
		{"query needs a well-formed key", []step{
			{action: ActionQueryProduct, params: map[string]string{}, wantCode: CodeNullProductKey},
			{action: ActionQueryProduct, params: map[string]string{"ProductKey": "a1-not*a key"}, wantCode: CodeInvalidFormattedProductKey},
			{action: ActionQueryProduct, params: map[string]string{"ProductKey": "a1NoSuchKey"}, wantCode: CodeNotExistedProduct},
		}},
		{"update always needs the name", []step{
			{action: ActionCreateProduct, params: map[string]string{"ProductName": "lamp_one", "NodeType": "0"}},
			{action: ActionUpdateProduct, params: map[string]string{"ProductKey": "$key", "Description": "new"}, wantCode: CodeNullProductName},
			{action: ActionUpdateProduct, params: map[string]string{"ProductKey": "$key", "ProductName": "lamp_renamed", "Description": "new"}},
			{action: ActionUpdateProduct, params: map[string]string{"ProductKey": "$key", "ProductName": "x"}, wantCode: CodeInvalidFormattedProductName},
			{action: ActionUpdateProduct, params: map[string]string{"ProductKey": "$key", "ProductName": "lamp_renamed", "Description": strings.Repeat("d", 101)}, wantCode: CodeLongProductDesc},
			{action: ActionUpdateProduct, params: map[string]string{"ProductKey": "$key", "ProductName": "lamp_renamed", "Description": ""}, wantCode: CodeInvalidFormattedParameter},
			{action: ActionUpdateProduct, params: map[string]string{"ProductName": "lamp_renamed"}, wantCode: CodeNullProductKey},
			{action: ActionUpdateProduct, params: map[string]string{"ProductKey": "a1NoSuchKey", "ProductName": "lamp_renamed"}, wantCode: CodeNotExistedProduct},
		}},
		{"a rename may not take another product's name", []step{
			{action: ActionCreateProduct, params: map[string]string{"ProductName": "lamp_one", "NodeType": "0"}},
			{action: ActionCreateProduct, params: map[string]string{"ProductName": "lamp_two", "NodeType": "0"}},
			{action: ActionUpdateProduct, params: map[string]string{"ProductKey": "$key", "ProductName": "lamp_one"}, wantCode: CodeAlreadyExistedProductName},
		}},
		{"a deleted product is gone, and its name free again", []step{
			{action: ActionCreateProduct, params: map[string]string{"ProductName": "lamp_one", "NodeType": "0"}},
			{action: ActionDeleteProduct, params: map[string]string{"ProductKey": "$key"}},
			{action: ActionDeleteProduct, params: map[string]string{"ProductKey": "$key"}, wantCode: CodeNotExistedProduct},
			{action: ActionQueryProduct, params: map[string]string{"ProductKey": "$key"}, wantCode: CodeNotExistedProduct},
			{action: ActionCreateProduct, params: map[string]string{"ProductName": "lamp_one", "NodeType": "0"}},
		}},
		{"delete needs a key", []step{
			{action: ActionDeleteProduct, params: map[string]string{}, wantCode: CodeNullProductKey},
		}},
		{"list pages are 1 to 200 products", []step{
			{action: ActionQueryProductList, params: map[string]string{"CurrentPage": "1", "PageSize": "200"}},
			{action: ActionQueryProductList, params: map[string]string{"CurrentPage": "1", "PageSize": "201"}, wantCode: CodeInvalidFormattedParameter},
			{action: ActionQueryProductList, params: map[string]string{"CurrentPage": "0", "PageSize": "10"}, wantCode: CodeInvalidFormattedParameter},
			{action: ActionQueryProductList, params: map[string]string{"PageSize": "10"}, wantCode: CodeInvalidFormattedParameter},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { runSteps(t, tt.steps) })
	}
}

func TestResponsesHaveThePlatformsShape(t *testing.T) {
	e := newTestEnv(t, Options{})
	c := e.client
	created := c.call(ActionCreateProduct, map[string]string{
		"ProductName": "shape_lamp", "NodeType": "1", "Description": "a lamp",
		"AliyunCommodityCode": "iothub_senior", "DataFormat": "1", "NetType": "ETHERNET",
	})
	key := created.str("ProductKey")
	if len(key) != 11 || !strings.HasPrefix(key, "a1") || !validProductKey(key) {
		t.Errorf("ProductKey %q does not look like the platform's", key)
	}
	d := created.data()
	if d["ProductKey"] != key || d["ProductName"] != "shape_lamp" || d["NodeType"] != 1.0 || d["DataFormat"] != 1.0 ||
		d["AuthType"] != "secret" || d["ProductSecret"] == "" || d["AliyunCommodityCode"] != "iothub_senior" {
		t.Errorf("CreateProduct Data = %v", d)
	}

	q := c.call(ActionQueryProduct, map[string]string{"ProductKey": key})
	d = q.data()
	want := map[string]any{
		"ProductKey": key, "ProductName": "shape_lamp", "Description": "a lamp", "NodeType": 1.0, "DataFormat": 1.0,
		"ProductStatus": StatusDevelopment, "DeviceCount": 0.0, "AuthType": "secret",
		"NetType":   7.0, // QueryProduct reports NetType as a number: 7 is Ethernet
		"GmtCreate": float64(e.clock.Now().UnixMilli()), "AliyunCommodityCode": "iothub_senior",
	}
	for k, v := range want {
		if d[k] != v {
			t.Errorf("QueryProduct Data[%s] = %v, want %v", k, d[k], v)
		}
	}
	if q.str("RequestId") == "" || q.Body["Success"] != true {
		t.Errorf("QueryProduct = %v", q.Body)
	}

	del := c.call(ActionDeleteProduct, map[string]string{"ProductKey": key})
	if len(del.Body) != 2 || del.str("RequestId") == "" || del.Body["Success"] != true {
		t.Errorf("DeleteProduct answered %v, want only RequestId and Success", del.Body)
	}
}

func TestQueryProductListPagesNewestFirst(t *testing.T) {
	e := newTestEnv(t, Options{QPS: map[string]int{ActionQueryProductList: 0}})
	var keys []string
	for i := range 450 {
		p, err := e.sim.AddProduct(Product{ProductName: fmt.Sprintf("product_%03d", i)})
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, p.ProductKey)
	}
	if _, err := e.sim.AddProduct(Product{ProductName: "elsewhere", IotInstanceID: "iot-other"}); err != nil {
		t.Fatal(err)
	}

	var listed []string
	for page, wantLen := range []int{1: 200, 2: 200, 3: 50, 4: 0} {
		if page == 0 {
			continue
		}
		got := e.client.call(ActionQueryProductList, map[string]string{"CurrentPage": fmt.Sprint(page), "PageSize": "200"})
		d := got.data()
		if d["Total"] != 450.0 || d["PageCount"] != 3.0 || d["PageSize"] != 200.0 || d["CurrentPage"] != float64(page) {
			t.Errorf("page %d: Data = Total %v PageCount %v PageSize %v CurrentPage %v", page, d["Total"], d["PageCount"], d["PageSize"], d["CurrentPage"])
		}
		list := d["List"].(map[string]any)["ProductInfo"].([]any)
		if len(list) != wantLen {
			t.Errorf("page %d has %d products, want %d", page, len(list), wantLen)
		}
		for _, p := range list {
			listed = append(listed, p.(map[string]any)["ProductKey"].(string))
		}
	}
	if len(listed) != len(keys) {
		t.Fatalf("listed %d products, want %d", len(listed), len(keys))
	}
	for i := range keys {
		if listed[i] != keys[len(keys)-1-i] {
			t.Fatalf("position %d lists %s, want %s (newest first)", i, listed[i], keys[len(keys)-1-i])
		}
	}
}

func TestProductQuota(t *testing.T) {
	e := newTestEnv(t, Options{MaxProductsPerInstance: 2})
	for i, want := range []string{"", "", CodeProductCountExceedMax} {
		got := e.client.call(ActionCreateProduct, map[string]string{"ProductName": fmt.Sprintf("quota_%d", i), "NodeType": "0"})
		if got.code() != want {
			t.Errorf("product %d: code %q, want %q", i+1, got.code(), want)
		}
	}
}

func TestUnknownInstanceWhenInstancesAreListed(t *testing.T) {
	e := newTestEnv(t, Options{IotInstanceIDs: []string{"iot-cn-known"}})
	for instance, want := range map[string]string{"iot-cn-known": "", "": "", "iot-cn-unknown": CodeInstanceNotFound} {
		got := e.client.call(ActionCreateProduct, map[string]string{"ProductName": "lamp_inst", "NodeType": "0", "IotInstanceId": instance})
		if got.code() != want {
			t.Errorf("instance %q: code %q, want %q", instance, got.code(), want)
		}
	}
}

// The documentation does not say whether a product with devices, or a released one, can be
// deleted; the simulator lets both go.
func TestDeletingAProductWithDevicesSucceeds(t *testing.T) {
	e := newTestEnv(t, Options{})
	p, _ := e.sim.AddProduct(Product{ProductName: "with_devices"})
	devices, released := 12, StatusRelease
	if _, err := e.sim.PatchProduct(p.ProductKey, ProductPatch{DeviceCount: &devices, ProductStatus: &released}); err != nil {
		t.Fatal(err)
	}
	if got := e.client.call(ActionDeleteProduct, map[string]string{"ProductKey": p.ProductKey}); got.code() != "" {
		t.Fatalf("delete: %v", got.Body)
	}
	if n := len(e.sim.Products()); n != 0 {
		t.Errorf("%d products left", n)
	}
}

func TestUnknownActionAndPath(t *testing.T) {
	e := newTestEnv(t, Options{})
	if got := e.client.call("DeleteDevice", map[string]string{"ProductKey": "a1AAAAAAAAA"}); got.Status != http.StatusNotFound || got.code() != "InvalidAction.NotFound" {
		t.Errorf("unknown action: HTTP %d %v", got.Status, got.Body)
	}
}

// An MQTT-type instance has no thing model: a product is made there without
// AliyunCommodityCode, and asking for the senior edition is refused.
func TestMQTTInstancesRefuseTheSeniorEdition(t *testing.T) {
	e := newTestEnv(t, Options{MQTTInstanceIDs: []string{"iot-mqtt-1"}})
	senior := map[string]string{"ProductName": "mqtt_lamp", "NodeType": "0", "IotInstanceId": "iot-mqtt-1", "AliyunCommodityCode": "iothub_senior", "DataFormat": "0"}
	if got := e.client.call(ActionCreateProduct, senior); got.code() != CodeInvalidAliyunCommodityCode {
		t.Fatalf("senior edition on an MQTT instance: %v, want %s", got.Body, CodeInvalidAliyunCommodityCode)
	}
	if n := len(e.sim.Products()); n != 0 {
		t.Fatalf("%d products made by a refused create", n)
	}
	basic := map[string]string{"ProductName": "mqtt_lamp", "NodeType": "0", "IotInstanceId": "iot-mqtt-1", "DataFormat": "0"}
	if got := e.client.call(ActionCreateProduct, basic); got.code() != "" {
		t.Fatalf("basic product on an MQTT instance: %v", got.Body)
	}
	senior["IotInstanceId"], senior["ProductName"] = "iot-other-1", "other_lamp"
	if got := e.client.call(ActionCreateProduct, senior); got.code() != "" {
		t.Fatalf("senior edition on another instance: %v", got.Body)
	}
}
