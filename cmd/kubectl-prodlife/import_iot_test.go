package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/internal/alibaba"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

const (
	simKeyID  = "LTAI5tImportKeyID01"
	simSecret = "import-secret-do-not-print"
)

// newIoTSimulator is the IoT API with the import's credentials in the environment, as the
// default credential chain reads them.
func newIoTSimulator(t *testing.T) (*alibabaiot.Server, string) {
	t.Helper()
	sim := alibabaiot.New(alibabaiot.Options{AccessKeyID: simKeyID, AccessKeySecret: simSecret, MaxProductsPerInstance: -1})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", simKeyID)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", simSecret)
	return sim, srv.URL
}

// Every product of the instance, over several pages, becomes an IoTProduct whose spec says
// what the platform holds; the import only reads.
func TestImportIoTPrintsAnIoTProductPerProductThatMatchesThePlatform(t *testing.T) {
	sim, url := newIoTSimulator(t)
	const instance = "iot-import-1"
	made := map[string]alibabaiot.Product{}
	add := func(p alibabaiot.Product) {
		t.Helper()
		p.IotInstanceID = instance
		got, err := sim.AddProduct(p)
		must(t, err)
		made[got.ProductKey] = got
	}
	add(alibabaiot.Product{ProductName: "door_sensor", Description: "Front door", AliyunCommodityCode: "iothub_senior", DataFormat: 1})
	add(alibabaiot.Product{ProductName: "Door_Sensor", AliyunCommodityCode: "iothub_senior", DataFormat: 0, AuthType: "x509"})
	add(alibabaiot.Product{ProductName: "gateway_01", NodeType: 1, NetType: "ETHERNET"})
	add(alibabaiot.Product{ProductName: "温度传感器", NodeType: 0, ProtocolType: "modbus"})
	for i := range alibaba.MaxPageSize + 3 { // a second page
		add(alibabaiot.Product{ProductName: fmt.Sprintf("bulk_%03d", i)})
	}
	// Another instance's product is not the import's.
	_, err := sim.AddProduct(alibabaiot.Product{ProductName: "elsewhere", IotInstanceID: "iot-other"})
	must(t, err)

	out, errOut := runPlugin(t, "import", "iot", "--region", "cn-shanghai", "--instance", instance, "--endpoint", url,
		"-n", "shop", "--credentials-secret", "alibaba-credentials")
	products := decodeAll[v1alpha1.IoTProduct](t, out)
	if len(products) != len(made) {
		t.Fatalf("%d IoTProducts printed, want %d; stderr: %s", len(products), len(made), errOut)
	}
	names := map[string]bool{}
	for _, p := range products {
		want, ok := made[p.Spec.ProductKey]
		if !ok {
			t.Fatalf("IoTProduct %s adopts %q, which is not a product of the instance", p.Name, p.Spec.ProductKey)
		}
		if names[p.Name] {
			t.Errorf("two IoTProducts are named %s", p.Name)
		}
		names[p.Name] = true
		wantSpec := v1alpha1.IoTProductSpec{
			ProductKey: want.ProductKey, ProductName: want.ProductName, Description: want.Description,
			Region: "cn-shanghai", IotInstanceID: instance, NodeType: v1alpha1.NodeTypeDevice,
			AuthType: v1alpha1.AuthType(want.AuthType), NetType: want.NetType, ProtocolType: want.ProtocolType,
			CredentialsSecretRef: &v1alpha1.SecretReference{Name: "alibaba-credentials"},
		}
		wantSpec.DeletionPolicy = v1alpha1.DeletionPolicyOrphan
		if want.NodeType == 1 {
			wantSpec.NodeType = v1alpha1.NodeTypeGateway
		}
		if want.AliyunCommodityCode == "iothub_senior" {
			wantSpec.DataFormat = map[int]v1alpha1.DataFormat{0: v1alpha1.DataFormatCustom, 1: v1alpha1.DataFormatAlinkJSON}[want.DataFormat]
		}
		if !reflect.DeepEqual(p.Spec, wantSpec) {
			t.Errorf("IoTProduct %s:\n spec %+v\n want %+v", p.Name, p.Spec, wantSpec)
		}
		if p.Namespace != "shop" || p.Kind != "IoTProduct" || p.APIVersion != "prodlife.dev/v1alpha1" {
			t.Errorf("IoTProduct %s: namespace %q, %s %s", p.Name, p.Namespace, p.APIVersion, p.Kind)
		}
	}
	for _, name := range []string{"door-sensor", "gateway-01", "bulk-000"} {
		if !names[name] {
			t.Errorf("no IoTProduct named %s among %d", name, len(names))
		}
	}
	for _, c := range sim.Calls("") {
		if c.Action != alibabaiot.ActionQueryProductList && c.Action != alibabaiot.ActionQueryProduct && c.Action != alibabaiot.ActionGetCallerIdentity {
			t.Errorf("the import called %s; it may only read", c.Action)
		}
	}
	if strings.Contains(out+errOut, simSecret) {
		t.Error("the output holds the AccessKey secret")
	}
	if !strings.Contains(errOut, fmt.Sprintf("%d of %d products", len(made), len(made))) {
		t.Errorf("stderr %q does not count the products", errOut)
	}
}

func TestImportIoTDeletionPolicyIsOrphanUnlessAsked(t *testing.T) {
	sim, url := newIoTSimulator(t)
	_, err := sim.AddProduct(alibabaiot.Product{ProductName: "lamp_01"})
	must(t, err)
	out, _ := runPlugin(t, "import", "iot", "--region", "cn-hangzhou", "--endpoint", url, "--deletion-policy", "Delete")
	products := decodeAll[v1alpha1.IoTProduct](t, out)
	if len(products) != 1 || products[0].Spec.DeletionPolicy != v1alpha1.DeletionPolicyDelete || products[0].Namespace != "" || products[0].Spec.CredentialsSecretRef != nil {
		t.Errorf("printed %+v, want one product with deletionPolicy Delete, no namespace, no Secret", products)
	}
	if _, _, err := runPluginErr("import", "iot", "--region", "cn-hangzhou", "--endpoint", url, "--deletion-policy", "Keep"); err == nil || !strings.Contains(err.Error(), "want Orphan or Delete") {
		t.Errorf("--deletion-policy Keep: %v", err)
	}
}

func TestImportIoTNamesWhatItCannotAdopt(t *testing.T) {
	for _, tc := range []struct {
		p    alibaba.Product
		want string
	}{
		{alibaba.Product{ProductName: "door-sensor"}, "characters spec.productName does not allow"},
		{alibaba.Product{ProductName: "温"}, "not 4 to 30 characters"},
		{alibaba.Product{ProductName: "abc"}, "not 4 to 30 characters"},
		{alibaba.Product{ProductName: strings.Repeat("温", 16)}, "not 4 to 30 characters"},
		{alibaba.Product{ProductName: "door_sensor", NetType: "LORA"}, `netType "LORA"`},
		{alibaba.Product{ProductName: "door_sensor", Description: strings.Repeat("d", 101)}, "over the 100 characters"},
		{alibaba.Product{ProductName: "温度传感"}, ""},
	} {
		if got := unadoptable(tc.p); (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("unadoptable(%q, netType %q): %q, want %q", tc.p.ProductName, tc.p.NetType, got, tc.want)
		}
	}
}

// runPlugin runs the plugin's command line and returns what it printed; it fails the test
// on an error.
func runPlugin(t *testing.T, args ...string) (out, errOut string) {
	t.Helper()
	out, errOut, err := runPluginErr(args...)
	if err != nil {
		t.Fatalf("kubectl prodlife %s: %v\nstderr: %s", strings.Join(args, " "), err, errOut)
	}
	return out, errOut
}

func runPluginErr(args ...string) (out, errOut string, err error) {
	var o, e bytes.Buffer
	err = run(context.Background(), args, &o, &e)
	return o.String(), e.String(), err
}

// decodeAll decodes every document of a YAML stream as a T.
func decodeAll[T any](t *testing.T, stream string) []T {
	t.Helper()
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(stream), 4096)
	var out []T
	for {
		var v T
		if err := dec.Decode(&v); errors.Is(err, io.EOF) {
			return out
		} else if err != nil {
			t.Fatalf("decoding the output: %v\n%s", err, stream)
		}
		out = append(out, v)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
