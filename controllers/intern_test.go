package controllers

import (
	"fmt"
	"testing"
	"unsafe"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/json"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
)

// An IoTProduct as the API server sends it, numbered where each object differs.
const cachedIoTProductJSON = `{"apiVersion":"prodlife.dev/v1alpha1","kind":"IoTProduct","metadata":{
"annotations":{"prodlife.dev/external-id":"a1Key%[1]d"},"creationTimestamp":"2026-12-03T19:46:20Z",
"finalizers":["prodlife.dev/external-delete"],"generation":1,"name":"sensor-%[1]d","namespace":"team-a",
"resourceVersion":"24%[1]d","uid":"313e4cb7-47c9-45bf-973b-%[1]d"},
"spec":{"authType":"secret","credentialsSecretRef":{"name":"alibaba-credentials"},"dataFormat":"AlinkJSON",
"deletionGuard":"None","deletionPolicy":"Delete","description":"Temperature and humidity sensor",
"managementPolicy":"Manage","netType":"WIFI","nodeType":"Device","productName":"sensor_%[1]d","region":"cn-shanghai"},
"status":{"conditions":[
{"lastTransitionTime":"2026-12-03T19:46:21Z","message":"product a1Key%[1]d exists and matches the spec","observedGeneration":1,"reason":"Available","status":"True","type":"Ready"},
{"lastTransitionTime":"2026-12-03T19:46:21Z","message":"no work under way","observedGeneration":1,"reason":"Idle","status":"False","type":"Reconciling"}],
"credentialsFingerprint":"306cba86","observedGeneration":1,"productKey":"a1Key%[1]d","productStatus":"DEVELOPMENT_STATUS"}}`

func decodedIoTProduct(t *testing.T, n int) *v1alpha1.IoTProduct {
	t.Helper()
	var p v1alpha1.IoTProduct
	if err := json.Unmarshal(fmt.Appendf(nil, cachedIoTProductJSON, n), &p); err != nil {
		t.Fatal(err)
	}
	return &p
}

func sameBytes(a, b string) bool { return unsafe.StringData(a) == unsafe.StringData(b) }

// stripUnread is the manager cache's transform (CacheOptions), every kind's strings shared.
var stripUnread = engine.StripUnread(shareStrings)

// Two IoTProducts in the cache hold one copy of each string they have in common, and every
// value is what the API server sent.
func TestCachedIoTProductsShareTheirCommonStrings(t *testing.T) {
	first, second := decodedIoTProduct(t, 1), decodedIoTProduct(t, 2)
	asSent := []*v1alpha1.IoTProduct{first.DeepCopy(), second.DeepCopy()}
	for _, p := range []*v1alpha1.IoTProduct{first, second} {
		if _, err := stripUnread(p); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range []*v1alpha1.IoTProduct{first, second} {
		if !equality.Semantic.DeepEqual(p, asSent[i]) {
			t.Errorf("object %d changed on its way into the cache:\n%+v\nwant\n%+v", i, p, asSent[i])
		}
	}
	for _, tt := range []struct {
		field string
		get   func(*v1alpha1.IoTProduct) string
	}{
		{"namespace", func(p *v1alpha1.IoTProduct) string { return p.Namespace }},
		{"finalizer", func(p *v1alpha1.IoTProduct) string { return p.Finalizers[0] }},
		{"spec.description", func(p *v1alpha1.IoTProduct) string { return p.Spec.Description }},
		{"spec.nodeType", func(p *v1alpha1.IoTProduct) string { return string(p.Spec.NodeType) }},
		{"spec.dataFormat", func(p *v1alpha1.IoTProduct) string { return string(p.Spec.DataFormat) }},
		{"spec.authType", func(p *v1alpha1.IoTProduct) string { return string(p.Spec.AuthType) }},
		{"spec.netType", func(p *v1alpha1.IoTProduct) string { return p.Spec.NetType }},
		{"spec.region", func(p *v1alpha1.IoTProduct) string { return p.Spec.Region }},
		{"spec.credentialsSecretRef.name", func(p *v1alpha1.IoTProduct) string { return p.Spec.CredentialsSecretRef.Name }},
		{"spec.managementPolicy", func(p *v1alpha1.IoTProduct) string { return string(p.Spec.ManagementPolicy) }},
		{"spec.deletionPolicy", func(p *v1alpha1.IoTProduct) string { return string(p.Spec.DeletionPolicy) }},
		{"spec.deletionGuard", func(p *v1alpha1.IoTProduct) string { return string(p.Spec.DeletionGuard) }},
		{"status.productStatus", func(p *v1alpha1.IoTProduct) string { return p.Status.ProductStatus }},
		{"status.credentialsFingerprint", func(p *v1alpha1.IoTProduct) string { return p.Status.CredentialsFingerprint }},
		{"a condition's type", func(p *v1alpha1.IoTProduct) string { return p.Status.Conditions[0].Type }},
		{"a condition's status", func(p *v1alpha1.IoTProduct) string { return string(p.Status.Conditions[1].Status) }},
		{"a condition's reason", func(p *v1alpha1.IoTProduct) string { return p.Status.Conditions[1].Reason }},
		{"a condition's message", func(p *v1alpha1.IoTProduct) string { return p.Status.Conditions[1].Message }},
	} {
		if a, b := tt.get(first), tt.get(second); !sameBytes(a, b) {
			t.Errorf("%s %q: each object holds its own copy", tt.field, a)
		}
	}
}

// A feed's common strings are shared as well.
func TestCachedFlipsnackFeedsShareTheirCommonStrings(t *testing.T) {
	feed := func(name string) *v1alpha1.FlipsnackFeed {
		var f v1alpha1.FlipsnackFeed
		raw := fmt.Sprintf(`{"metadata":{"name":%q,"namespace":"team-a","finalizers":["prodlife.dev/external-delete"]},
"spec":{"credentialsSecretRef":{"name":"flipsnack-credentials"},"deletionPolicy":"Delete"},
"status":{"conditions":[{"type":"Ready","status":"True","reason":"Available","message":"all products pushed","lastTransitionTime":"2026-12-03T19:46:21Z"}]}}`, name)
		if err := json.Unmarshal([]byte(raw), &f); err != nil {
			t.Fatal(err)
		}
		if _, err := stripUnread(&f); err != nil {
			t.Fatal(err)
		}
		return &f
	}
	a, b := feed("catalogue-a"), feed("catalogue-b")
	for field, pair := range map[string][2]string{
		"namespace":                      {a.Namespace, b.Namespace},
		"finalizer":                      {a.Finalizers[0], b.Finalizers[0]},
		"spec.credentialsSecretRef.name": {a.Spec.CredentialsSecretRef.Name, b.Spec.CredentialsSecretRef.Name},
		"spec.deletionPolicy":            {string(a.Spec.DeletionPolicy), string(b.Spec.DeletionPolicy)},
		"a condition's message":          {a.Status.Conditions[0].Message, b.Status.Conditions[0].Message},
	} {
		if !sameBytes(pair[0], pair[1]) {
			t.Errorf("%s %q: each feed holds its own copy", field, pair[0])
		}
	}
}
