package v1alpha1_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

var nsCounter atomic.Int64

// newNamespace gives each test its own namespace, so object names never collide.
func newNamespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("schema-%d", nsCounter.Add(1))}}
	if err := k8s.Create(context.Background(), ns); err != nil {
		t.Fatalf("creating namespace: %v", err)
	}
	return ns.Name
}

func object(t *testing.T, ns, manifest string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(manifest), &u.Object); err != nil {
		t.Fatalf("bad test manifest: %v\n%s", err, manifest)
	}
	u.SetNamespace(ns)
	return u
}

const validIoTProduct = `
apiVersion: prodlife.dev/v1alpha1
kind: IoTProduct
metadata: {name: sensor}
spec:
  productName: temperature_sensor
  region: cn-shanghai
  description: a sensor
`

const validFeed = `
apiVersion: prodlife.dev/v1alpha1
kind: FlipsnackFeed
metadata: {name: catalogue}
spec:
  sourceHash: spring-2026
  credentialsSecretRef: {name: flipsnack-credentials}
  products:
  - {code: SKU-01, type: product, title: Shirt, sellPrice: "39.90", currency: EUR}
`

func TestSamplesAreAccepted(t *testing.T) {
	ns := newNamespace(t)
	dir := filepath.Join(testenv.RepoRoot(), "config", "samples")
	files, err := filepath.Glob(filepath.Join(dir, "prodlife_*.yaml"))
	if err != nil || len(files) < 2 {
		t.Fatalf("expected a sample of each kind in %s, found %v (%v)", dir, files, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := k8s.Create(context.Background(), object(t, ns, string(data))); err != nil {
			t.Errorf("sample %s rejected: %v", filepath.Base(f), err)
		}
	}
}

func TestValidObjectsAreAcceptedWithDefaults(t *testing.T) {
	ns := newNamespace(t)
	ctx := context.Background()
	for _, m := range []string{validIoTProduct, validFeed, `
apiVersion: prodlife.dev/v1alpha1
kind: IoTProduct
metadata: {name: chinese-name}
spec:
  productName: 温度传感器设备
  region: cn-shanghai
  productKey: a1BcDeFgHiJ
  iotInstanceId: iot-cn-0pp1n8t
  nodeType: Gateway
  dataFormat: Custom
  authType: x509
  netType: CELLULAR
  managementPolicy: ObserveOnly
  deletionPolicy: Orphan
`} {
		obj := object(t, ns, m)
		if err := k8s.Create(ctx, obj); err != nil {
			t.Errorf("valid %s %s rejected: %v", obj.GetKind(), obj.GetName(), err)
		}
	}
	got := &unstructured.Unstructured{}
	got.SetAPIVersion("prodlife.dev/v1alpha1")
	got.SetKind("IoTProduct")
	if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "sensor"}, got); err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string]string{"nodeType": "Device", "dataFormat": "AlinkJSON", "authType": "secret", "managementPolicy": "Manage", "deletionPolicy": "Delete", "deletionGuard": "None"} {
		if v, _, _ := unstructured.NestedString(got.Object, "spec", field); v != want {
			t.Errorf("default spec.%s = %q, want %q", field, v, want)
		}
	}
}

// Each malformed object must be refused by the API server with a message that tells the
// user what is wrong.
func TestMalformedObjectsAreRejectedOnCreate(t *testing.T) {
	ns := newNamespace(t)
	iot := func(spec string) string {
		return "apiVersion: prodlife.dev/v1alpha1\nkind: IoTProduct\nmetadata: {name: bad}\nspec:\n" + spec
	}
	feed := func(spec string) string {
		return "apiVersion: prodlife.dev/v1alpha1\nkind: FlipsnackFeed\nmetadata: {name: bad}\nspec:\n  credentialsSecretRef: {name: creds}\n" + spec
	}
	cases := []struct {
		name     string
		manifest string
		wantErr  string
	}{
		{"unknown nodeType", iot("  productName: sensor_1\n  region: cn-shanghai\n  nodeType: Router\n"), `spec.nodeType: Unsupported value: "Router"`},
		{"unknown dataFormat", iot("  productName: sensor_1\n  region: cn-shanghai\n  dataFormat: XML\n"), `spec.dataFormat: Unsupported value: "XML"`},
		{"unknown authType", iot("  productName: sensor_1\n  region: cn-shanghai\n  authType: password\n"), `spec.authType: Unsupported value: "password"`},
		{"unknown netType", iot("  productName: sensor_1\n  region: cn-shanghai\n  netType: LORA\n"), `spec.netType: Unsupported value: "LORA"`},
		{"unknown deletionPolicy", iot("  productName: sensor_1\n  region: cn-shanghai\n  deletionPolicy: Keep\n"), `spec.deletionPolicy: Unsupported value: "Keep"`},
		{"unknown managementPolicy", feed("  managementPolicy: ReadOnly\n"), `spec.managementPolicy: Unsupported value: "ReadOnly"`},
		{"unknown deletionGuard", iot("  productName: sensor_1\n  region: cn-shanghai\n  deletionGuard: Always\n"), `spec.deletionGuard: Unsupported value: "Always"`},
		{"deletionProtection not a boolean", feed("  deletionProtection: maybe\n"), "spec.deletionProtection"},
		{"productName too short", iot("  productName: abc\n  region: cn-shanghai\n"), "productName must be 4 to 30 characters long"},
		{"productName too long", iot("  productName: " + strings.Repeat("a", 31) + "\n  region: cn-shanghai\n"), "spec.productName: Too long"},
		{"productName too long counting Chinese characters as two", iot("  productName: " + strings.Repeat("温", 16) + "\n  region: cn-shanghai\n"), "productName must be 4 to 30 characters long, a Chinese character counting as two"},
		{"productName with forbidden characters", iot("  productName: temp-sensor!\n  region: cn-shanghai\n"), "spec.productName: Invalid value"},
		{"description over 100 characters", iot("  productName: sensor_1\n  region: cn-shanghai\n  description: " + strings.Repeat("d", 101) + "\n"), "spec.description: Too long: may not be more than 100"},
		{"missing region", iot("  productName: sensor_1\n"), `spec.region: Required value`},
		{"malformed region", iot("  productName: sensor_1\n  region: Shanghai\n"), "spec.region: Invalid value"},
		{"missing productName", iot("  region: cn-shanghai\n"), "spec.productName: Required value"},
		{"feed without credentials", "apiVersion: prodlife.dev/v1alpha1\nkind: FlipsnackFeed\nmetadata: {name: bad}\nspec: {}\n", "spec.credentialsSecretRef: Required value"},
		{"duplicate SKU", feed("  products:\n  - {code: SKU-1, type: product}\n  - {code: SKU-1, type: product}\n"), `spec.products[1]: Duplicate value: {"code":"SKU-1"}`},
		{"sourceHash over 64 characters", feed("  sourceHash: " + strings.Repeat("h", 65) + "\n"), "spec.sourceHash: Too long: may not be more than 64"},
		{"product without type", feed("  products:\n  - {code: SKU-1}\n"), "spec.products[0].type: Required value"},
		{"SKU with a comma (it would split in products.delete)", feed("  products:\n  - {code: 'SKU-1,SKU-2', type: product}\n"), "spec.products[0].code: Invalid value"},
		{"currency not ISO 4217", feed("  products:\n  - {code: SKU-1, type: product, currency: euro}\n"), "spec.products[0].currency: Invalid value"},
		{"price not a decimal number", feed("  products:\n  - {code: SKU-1, type: product, sellPrice: cheap}\n"), "spec.products[0].sellPrice: Invalid value"},
		{"negative quantity", feed("  products:\n  - {code: SKU-1, type: product, quantity: -1}\n"), "spec.products[0].quantity: Invalid value"},
		{"duplicate variant SKU", feed("  products:\n  - {code: SKU-1, type: product, variants: [{code: V1}, {code: V1}]}\n"), "spec.products[0].variants[1]: Duplicate value"},
		// A SKU is sent to the platform byte for byte: a space or an invisible character that
		// only Unicode knows of would make two SKUs look alike, so every one is refused.
		{"SKU with a no-break space", feed("  products:\n  - {code: \"SKU-1\\u00a0\", type: product}\n"), skuRefused("spec.products[0].code", "SKU-1\u00a0")},
		{"SKU with a line separator", feed("  products:\n  - {code: \"SKU\\u2028-1\", type: product}\n"), skuRefused("spec.products[0].code", "SKU\u2028-1")},
		{"SKU with a paragraph separator", feed("  products:\n  - {code: \"SKU-1\\u2029\", type: product}\n"), skuRefused("spec.products[0].code", "SKU-1\u2029")},
		{"SKU with a vertical tab", feed("  products:\n  - {code: \"SKU\\v1\", type: product}\n"), skuRefused("spec.products[0].code", "SKU\v1")},
		{"SKU with a tab", feed("  products:\n  - {code: \"SKU\\t1\", type: product}\n"), skuRefused("spec.products[0].code", "SKU\t1")},
		{"SKU with a newline", feed("  products:\n  - {code: \"SKU-1\\n\", type: product}\n"), skuRefused("spec.products[0].code", "SKU-1\n")},
		{"SKU with a space", feed("  products:\n  - {code: \"SKU 1\", type: product}\n"), skuRefused("spec.products[0].code", "SKU 1")},
		{"SKU with a zero-width space", feed("  products:\n  - {code: \"SKU-1\\u200b\", type: product}\n"), skuRefused("spec.products[0].code", "SKU-1\u200b")},
		{"SKU with a byte order mark", feed("  products:\n  - {code: \"\\ufeffSKU-1\", type: product}\n"), skuRefused("spec.products[0].code", "\ufeffSKU-1")},
		{"variant SKU with a no-break space", feed("  products:\n  - {code: SKU-1, type: product, variants: [{code: V1}, {code: \"V2\\u00a0\"}]}\n"), `spec.products[0].variants[1].code: Invalid value: "V2\u00a0": spec.products[0].variants[1].code in body should match '^[^,\p{Z}\p{C}]+$'`},
		{"pollInterval under a minute", iot("  productName: sensor_1\n  region: cn-shanghai\n  pollInterval: 30s\n"), "pollInterval must be between 1m and 24h"},
		{"pollInterval over a day", iot("  productName: sensor_1\n  region: cn-shanghai\n  pollInterval: 25h\n"), "pollInterval must be between 1m and 24h"},
		{"pollInterval not a duration", iot("  productName: sensor_1\n  region: cn-shanghai\n  pollInterval: hourly\n"), "spec.pollInterval: Invalid value"},
		{"more than 20 productsFrom ConfigMaps", feed("  productsFrom:\n" + strings.Repeat("  - {configMap: {name: c, key: k}}\n", 21)), "spec.productsFrom: Too many: 21: must have at most 20 items"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := k8s.Create(context.Background(), object(t, ns, tc.manifest))
			if err == nil {
				t.Fatalf("accepted; want rejection containing %q", tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("rejected with\n  %v\nwant a message containing\n  %q", err, tc.wantErr)
			}
		})
	}
}

// skuRefused is the API server's message for a SKU with a forbidden character at path.
func skuRefused(path, value string) string {
	return fmt.Sprintf("%s: Invalid value: %q: code (the SKU) must not contain a comma, a space of any kind", path, value)
}

// Fields the platform fixes at creation can't change; the API server says which one.
func TestImmutableFieldsAreRejectedOnUpdate(t *testing.T) {
	ns := newNamespace(t)
	cases := []struct {
		name    string
		base    string
		patch   string // JSON merge patch
		wantErr string
	}{
		{"nodeType changed", validIoTProduct, `{"spec":{"nodeType":"Gateway"}}`, "nodeType is fixed at creation"},
		{"dataFormat changed", validIoTProduct, `{"spec":{"dataFormat":"Custom"}}`, "dataFormat is fixed at creation"},
		{"authType changed", validIoTProduct, `{"spec":{"authType":"id2"}}`, "authType is fixed at creation"},
		{"region changed", validIoTProduct, `{"spec":{"region":"cn-beijing"}}`, "region is fixed at creation"},
		{"iotInstanceId added", validIoTProduct, `{"spec":{"iotInstanceId":"iot-cn-1"}}`, "iotInstanceId is fixed at creation: it cannot be added or removed"},
		{"netType added", validIoTProduct, `{"spec":{"netType":"WIFI"}}`, "netType is fixed at creation: it cannot be added or removed"},
		{"productKey changed", strings.Replace(validIoTProduct, "region:", "productKey: a1AAAAAAAAA\n  region:", 1), `{"spec":{"productKey":"a1BBBBBBBBB"}}`, "productKey can be set once and never changed or removed"},
		{"productKey removed", strings.Replace(validIoTProduct, "region:", "productKey: a1AAAAAAAAA\n  region:", 1), `{"spec":{"productKey":null}}`, "productKey can be set once and never changed or removed"},
		{"sourceHash changed", validFeed, `{"spec":{"sourceHash":"summer-2026"}}`, "sourceHash can be set once and never changed or removed"},
		{"sourceHash removed", validFeed, `{"spec":{"sourceHash":null}}`, "sourceHash can be set once and never changed or removed"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			obj := object(t, ns, tc.base)
			obj.SetName(fmt.Sprintf("immutable-%d", i))
			if err := k8s.Create(ctx, obj); err != nil {
				t.Fatalf("creating the base object: %v", err)
			}
			err := k8s.Patch(ctx, obj, client.RawPatch(types.MergePatchType, []byte(tc.patch)))
			if err == nil {
				t.Fatalf("patch %s accepted; want rejection containing %q", tc.patch, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("rejected with\n  %v\nwant a message containing\n  %q", err, tc.wantErr)
			}
		})
	}
}

// What users may change after creation, they can.
func TestMutableFieldsCanChange(t *testing.T) {
	ns := newNamespace(t)
	ctx := context.Background()
	cases := []struct {
		name  string
		base  string
		patch string
	}{
		{"productName and description", validIoTProduct, `{"spec":{"productName":"humidity_sensor","description":"renamed"}}`},
		{"productKey set once to adopt", validIoTProduct, `{"spec":{"productKey":"a1CCCCCCCCC"}}`},
		{"pollInterval at the lower bound", validIoTProduct, `{"spec":{"pollInterval":"1m"}}`},
		{"pollInterval at the upper bound", validIoTProduct, `{"spec":{"pollInterval":"24h"}}`},
		{"pollInterval in hours and minutes", validIoTProduct, `{"spec":{"pollInterval":"1h30m"}}`},
		{"managementPolicy and deletionPolicy", validIoTProduct, `{"spec":{"managementPolicy":"ObserveOnly","deletionPolicy":"Orphan"}}`},
		{"sourceHash set once on a feed that had none", strings.Replace(validFeed, "  sourceHash: spring-2026\n", "", 1), `{"spec":{"sourceHash":"adopted-feed"}}`},
		{"products changed", validFeed, `{"spec":{"products":[{"code":"SKU-02","type":"product"}]}}`},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obj := object(t, ns, tc.base)
			obj.SetName(fmt.Sprintf("mutable-%d", i))
			if err := k8s.Create(ctx, obj); err != nil {
				t.Fatalf("creating the base object: %v", err)
			}
			if err := k8s.Patch(ctx, obj, client.RawPatch(types.MergePatchType, []byte(tc.patch))); err != nil {
				t.Fatalf("patch %s rejected: %v", tc.patch, err)
			}
		})
	}
}

// Patching deletionPolicy to Orphan is the documented way out of a deletion that cannot
// succeed, so it must work on an object that is already terminating.
func TestDeletionPolicyCanBePatchedWhileTerminating(t *testing.T) {
	ns := newNamespace(t)
	ctx := context.Background()
	for _, base := range []string{validIoTProduct, validFeed} {
		obj := object(t, ns, base)
		obj.SetFinalizers([]string{"prodlife.dev/external-delete"})
		if err := k8s.Create(ctx, obj); err != nil {
			t.Fatalf("creating %s: %v", obj.GetKind(), err)
		}
		if err := k8s.Delete(ctx, obj); err != nil {
			t.Fatalf("deleting %s: %v", obj.GetKind(), err)
		}
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			t.Fatal(err)
		}
		if obj.GetDeletionTimestamp() == nil {
			t.Fatalf("%s has no deletionTimestamp after delete", obj.GetKind())
		}
		if err := k8s.Patch(ctx, obj, client.RawPatch(types.MergePatchType, []byte(`{"spec":{"deletionPolicy":"Orphan"}}`))); err != nil {
			t.Fatalf("patching deletionPolicy of a terminating %s: %v", obj.GetKind(), err)
		}
		if v, _, _ := unstructured.NestedString(obj.Object, "spec", "deletionPolicy"); v != "Orphan" {
			t.Fatalf("deletionPolicy of the terminating %s is %q after the patch, want Orphan", obj.GetKind(), v)
		}
		// Let it go, so the namespace can be cleaned.
		if err := k8s.Patch(ctx, obj, client.RawPatch(types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`))); err != nil {
			t.Fatal(err)
		}
	}
}
