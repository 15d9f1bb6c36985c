package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// A namespace user is untrusted: with `kubectl --as` and edit rights on their own namespace
// only, they try to make the operator adopt or delete products other namespaces own, to write
// the operator's bookkeeping, and to push SKUs that look like another. Each attempt is refused
// or harmless, and the platform simulators prove that no other product was touched.

// tenantRBAC lets user mallory do anything with the operator's kinds (every resource of the
// group, wildcards and all), Secrets and ConfigMaps in namespace e2e-mallory, and nothing
// elsewhere.
const tenantRBAC = `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: tenant, namespace: e2e-mallory}
rules:
- apiGroups: [prodlife.dev]
  resources: ["*"]
  verbs: ["*"]
- apiGroups: [""]
  resources: [secrets, configmaps]
  verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: tenant, namespace: e2e-mallory}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: tenant}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: mallory}
`

// iotProduct is an IoTProduct manifest; secret "" uses the operator's own credentials.
func iotProduct(name, productName, secret, extra string) string {
	m := fmt.Sprintf("apiVersion: prodlife.dev/v1alpha1\nkind: IoTProduct\nmetadata:\n  name: %s\nspec:\n  productName: %s\n  region: cn-shanghai\n", name, productName)
	if secret != "" {
		m += "  credentialsSecretRef: {name: " + secret + "}\n"
	}
	return m + extra
}

func TestANamespaceUserCannotReachProductsOtherNamespacesOwn(t *testing.T) {
	s := environment(t)
	// Two products that belong to others: one made with the operator's own credentials in
	// the namespace allowed to use them, one with a Secret of the same account elsewhere.
	platform := s.namespace(t, ownCredentialsNamespace)
	s.kubectl.runWithInput(t, iotProduct("fleet", "platform_fleet", "", ""), "apply", "--server-side", "-n", platform, "-f", "-")
	victim := s.namespace(t, "e2e-victim")
	s.kubectl.runWithInput(t, iotProduct("door", "victim_door", "alibaba-credentials", ""), "apply", "--server-side", "-n", victim, "-f", "-")
	s.kubectl.run(t, "wait", "-n", platform, "--for=condition=Ready", "--timeout=60s", "iotproduct/fleet")
	s.kubectl.run(t, "wait", "-n", victim, "--for=condition=Ready", "--timeout=60s", "iotproduct/door")
	fleetKey := s.kubectl.run(t, "get", "-n", platform, "iotproduct/fleet", "-o", "jsonpath={.status.productKey}")
	doorKey := s.kubectl.run(t, "get", "-n", victim, "iotproduct/door", "-o", "jsonpath={.status.productKey}")

	// mallory: edit rights on e2e-mallory only, and a Secret of the same account.
	mallory := s.namespace(t, "e2e-mallory")
	s.kubectl.runWithInput(t, tenantRBAC, "apply", "-f", "-")
	as := func(args ...string) []string { return append([]string{"--as=mallory", "-n", mallory}, args...) }
	if out := s.kubectl.fail(t, "--as=mallory", "-n", victim, "get", "iotproducts"); !strings.Contains(out, "forbidden") {
		t.Fatalf("mallory reads namespace %s: %s; the test's user must be confined to %s", victim, out, mallory)
	}

	// 1. Adopt the operator's product with the operator's credentials, then delete it.
	s.kubectl.runWithInput(t, iotProduct("adopt-fleet", "mallory_fleet", "", "  productKey: "+fleetKey+"\n"),
		as("apply", "--server-side", "-f", "-")...)
	s.kubectl.run(t, as("wait", "--for=condition=Stalled", "--timeout=60s", "iotproduct/adopt-fleet")...)
	if msg := s.kubectl.run(t, as("get", "iotproduct/adopt-fleet", "-o", `jsonpath={.status.conditions[?(@.type=="Stalled")].message}`)...); !strings.Contains(msg, "--default-credentials-namespaces") {
		t.Errorf("adopting with the operator's credentials: Stalled says %q, want the flag that allows a namespace", msg)
	}
	// 2. Adopt the other namespace's product with a Secret of the same account, then delete it.
	s.kubectl.runWithInput(t, iotProduct("adopt-door", "mallory_door", "alibaba-credentials", "  productKey: "+doorKey+"\n"),
		as("apply", "--server-side", "-f", "-")...)
	s.kubectl.run(t, as("wait", "--for=jsonpath={.status.conditions[?(@.type==\"Stalled\")].reason}=IdentityConflict", "--timeout=60s", "iotproduct/adopt-door")...)
	s.kubectl.run(t, as("delete", "iotproduct/adopt-fleet", "iotproduct/adopt-door", "--timeout=60s")...)

	// 3. Bring the identity annotations on a new resource.
	for _, annotation := range []string{"prodlife.dev/external-id: " + doorKey, "prodlife.dev/create-pending: \"2026-01-01T00:00:00Z\""} {
		manifest := strings.Replace(iotProduct("forged", "mallory_forged", "alibaba-credentials", ""), "  name: forged\n",
			"  name: forged\n  annotations:\n    "+annotation+"\n", 1)
		_, stderr, err := s.kubectl.exec(t, manifest, as("apply", "--server-side", "-f", "-")...)
		if err == nil || !strings.Contains(stderr, strings.SplitN(annotation, ":", 2)[0]) || !strings.Contains(stderr, "only the operator") {
			t.Errorf("a new resource with %s: %v %s; want the admission policy's refusal naming it", annotation, err, stderr)
		}
	}

	// 4. Set, change or remove them on an existing resource of her own.
	s.kubectl.runWithInput(t, iotProduct("own", "mallory_own", "alibaba-credentials", ""), as("apply", "--server-side", "-f", "-")...)
	s.kubectl.run(t, as("wait", "--for=condition=Ready", "--timeout=60s", "iotproduct/own")...)
	ownKey := s.kubectl.run(t, as("get", "iotproduct/own", "-o", "jsonpath={.status.productKey}")...)
	for _, args := range [][]string{
		{"prodlife.dev/external-id=" + doorKey},
		{"prodlife.dev/external-id-"},
		{"prodlife.dev/create-pending=2026-01-01T00:00:00Z"},
	} {
		out := s.kubectl.fail(t, as(append([]string{"annotate", "--overwrite", "iotproduct/own"}, args...)...)...)
		if !strings.Contains(out, "may not be added, changed or removed") {
			t.Errorf("kubectl annotate %s: %s; want the admission policy's refusal", args[0], out)
		}
	}
	s.kubectl.run(t, as("delete", "iotproduct/own", "--timeout=60s")...)

	// 5. SKUs that look like another: a no-break space, a line separator, a vertical tab.
	for name, sku := range map[string]string{"nbsp": "SKU-1\u00a0", "line-separator": "SKU-1\u2028", "vertical-tab": "SKU-1\u000b"} {
		// JSON, so that the characters reach the API server exactly as written.
		feed, err := json.Marshal(map[string]any{
			"apiVersion": "prodlife.dev/v1alpha1", "kind": "FlipsnackFeed", "metadata": map[string]any{"name": name},
			"spec": map[string]any{
				"credentialsSecretRef": map[string]any{"name": "flipsnack-credentials"},
				"products":             []any{map[string]any{"code": sku, "type": "product", "title": "Look-alike"}},
			},
		})
		must(t, err)
		_, stderr, err := s.kubectl.exec(t, string(feed), as("apply", "--server-side", "-f", "-")...)
		if err == nil || !strings.Contains(stderr, "spec.products[0].code") {
			t.Errorf("a feed with SKU %q: %v %s; want the API server's refusal naming spec.products[0].code", sku, err, stderr)
		}
	}
	if feeds := s.flipsnack.feeds(t); len(feeds) != 0 {
		for hash, f := range feeds {
			for _, sku := range f.SKUs {
				if strings.HasPrefix(sku, "SKU-1") && sku != "SKU-1" {
					t.Errorf("Flipsnack: feed %s holds the look-alike SKU %q", hash, sku)
				}
			}
		}
	}

	// What the platform says: both products of the others are there, untouched; the only
	// deletion is of mallory's own product.
	products := s.alibaba.products(t)
	for key, name := range map[string]string{fleetKey: "platform_fleet", doorKey: "victim_door"} {
		if got, ok := products[key]; !ok || got.ProductName != name {
			t.Errorf("IoT platform: product %s is %+v, %v; want %s untouched", key, got, ok, name)
		}
		if calls := s.alibaba.deleteCalls(t, key); len(calls) != 0 {
			t.Errorf("IoT platform: DeleteProduct called for %s: %+v", key, calls)
		}
	}
	if _, ok := products[ownKey]; ok || len(s.alibaba.deleteCalls(t, ownKey)) != 1 {
		t.Errorf("IoT platform: mallory's own product %s should be deleted, once", ownKey)
	}
}
