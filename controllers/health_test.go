package controllers_test

// GitOps health: Flux (kstatus) and Argo CD (config/argocd/health.lua) must read the same
// truth from the objects the running controllers produce. Every check below is made on the
// object as a GitOps tool reads it from the API server, unstructured.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
	fssim "github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

var (
	healthIoTProductGVK = v1alpha1.GroupVersion.WithKind("IoTProduct")
	healthFeedGVK       = v1alpha1.GroupVersion.WithKind("FlipsnackFeed")
)

func TestHealthOfAnIoTProductFromApplyToDeletion(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t)
	t.Cleanup(iotSim.ClearFaults)

	// The platform first throttles every create, then fails it with a server error.
	must(t, iotSim.SetFaults(alibabaiot.Faults{"CreateProduct": {ErrorRate: 1, Code: "Throttling.User"}}))
	p := healthIoTProduct(ns, "lifecycle")
	must(t, k8s.Create(ctx, p))
	// Just applied, before the operator has said anything. kstatus calls an object without
	// status Current (it cannot know that this kind will report), so only Argo CD is checked.
	checkArgoHealth(t, p, "Progressing", "Waiting for the operator")

	creating := waitLive(t, p, "the throttled create", reconcilingBecauseOf("Throttling.User"))
	checkHealth(t, creating, status.InProgressStatus, "Progressing", "Throttling.User")

	must(t, iotSim.SetFaults(alibabaiot.Faults{"CreateProduct": {ErrorRate: 1, Code: "ServiceUnavailable"}}))
	retrying := waitLive(t, p, "the failed create being retried", reconcilingBecauseOf("ServiceUnavailable"))
	checkHealth(t, retrying, status.InProgressStatus, "Progressing", "ServiceUnavailable")

	iotSim.ClearFaults()
	ready := waitLive(t, p, "Ready", func(u *unstructured.Unstructured) string {
		return liveCondition(u, v1alpha1.ConditionReady, "True", "Available")
	})
	key, _, _ := unstructured.NestedString(ready.Object, "status", "productKey")
	checkHealth(t, ready, status.CurrentStatus, "Healthy", key, "exists and matches the spec")

	// A spec change is progress until the operator has acted on the new generation.
	changed := ready.DeepCopy()
	must(t, k8s.Patch(ctx, changed, client.RawPatch(types.MergePatchType, []byte(`{"spec":{"description":"changed by a GitOps commit"}}`))))
	checkHealth(t, changed, status.InProgressStatus, "Progressing", fmt.Sprintf("generation %d", changed.GetGeneration()))
	updated := waitLive(t, p, "the new generation to be Ready", func(u *unstructured.Unstructured) string {
		if gen, _, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration"); gen != changed.GetGeneration() {
			return fmt.Sprintf("observedGeneration %d, generation %d", gen, changed.GetGeneration())
		}
		return liveCondition(u, v1alpha1.ConditionReady, "True", "Available")
	})
	checkHealth(t, updated, status.CurrentStatus, "Healthy", key)

	// The platform fails every delete with a server error for a while.
	must(t, iotSim.SetFaults(alibabaiot.Faults{"DeleteProduct": {ErrorRate: 1, Code: "ServiceUnavailable", LatencyMs: 100}}))
	must(t, k8s.Delete(ctx, p))
	deleting := waitLive(t, p, "the failed delete being retried", reconcilingBecauseOf("ServiceUnavailable"))
	if deleting.GetDeletionTimestamp() == nil {
		t.Fatalf("retrying a delete without a deletionTimestamp")
	}
	// Argo CD itself shows an object being deleted as Progressing "Pending deletion" without
	// asking the script; the script agrees, and says why the deletion takes long.
	checkHealth(t, deleting, status.TerminatingStatus, "Progressing", "ServiceUnavailable", key)

	iotSim.ClearFaults()
	waitGone(t, p)
}

func TestHealthOfAnIoTProductGoneFromThePlatformIsFailedAndMissing(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t)
	p := healthIoTProduct(ns, "vanished")
	must(t, k8s.Create(ctx, p))
	ready := waitLive(t, p, "Ready", func(u *unstructured.Unstructured) string {
		return liveCondition(u, v1alpha1.ConditionReady, "True", "Available")
	})
	key, _, _ := unstructured.NestedString(ready.Object, "status", "productKey")

	// Someone deletes the product in the console; the next resync finds it gone.
	removeFromPlatform(t, key)
	vanished := waitLive(t, p, "the product to be reported gone", func(u *unstructured.Unstructured) string {
		return liveCondition(u, v1alpha1.ConditionStalled, "True", "NotFound")
	})
	checkHealth(t, vanished, status.FailedStatus, "Missing", key, "no longer exists")

	must(t, k8s.Delete(ctx, p))
	waitGone(t, p)
}

func TestHealthOfAFlipsnackFeedFromApplyToDeletion(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t)
	createSecret(t, ns, "flipsnack-credentials", map[string]string{"apiKey": flipsnackKey, "apiSecret": flipsnackSecret})
	t.Cleanup(fsSim.ClearFaults)

	// A gateway in front of the platform answers 503 to every push for a while.
	must(t, fsSim.SetFaults(map[string]fssim.Fault{"products.create": {ErrorRate: 1, Code: "503", LatencyMs: 100}}))
	f := healthFeed(ns, "lifecycle", "flipsnack-credentials")
	must(t, k8s.Create(ctx, f))
	checkArgoHealth(t, f, "Progressing", "Waiting for the operator")

	retrying := waitLive(t, f, "the failed push being retried", reconcilingBecauseOf("503"))
	checkHealth(t, retrying, status.InProgressStatus, "Progressing", "503", "retrying")

	fsSim.ClearFaults()
	ready := waitLive(t, f, "Ready", func(u *unstructured.Unstructured) string {
		return liveCondition(u, v1alpha1.ConditionReady, "True", "Available")
	})
	hash, _, _ := unstructured.NestedString(ready.Object, "status", "sourceHash")
	checkHealth(t, ready, status.CurrentStatus, "Healthy", hash)

	must(t, fsSim.SetFaults(map[string]fssim.Fault{"products.delete": {ErrorRate: 1, Code: "503", LatencyMs: 100}}))
	must(t, k8s.Delete(ctx, f))
	deleting := waitLive(t, f, "the failed delete being retried", reconcilingBecauseOf("503"))
	if deleting.GetDeletionTimestamp() == nil {
		t.Fatalf("retrying a delete without a deletionTimestamp")
	}
	checkHealth(t, deleting, status.TerminatingStatus, "Progressing", "503", hash)

	fsSim.ClearFaults()
	waitGone(t, f)
}

func TestHealthOfAFlipsnackFeedWithUnusableCredentialsIsFailedAndDegraded(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t)
	createSecret(t, ns, "half-credentials", map[string]string{"apiKey": flipsnackKey})
	f := healthFeed(ns, "nosecret", "half-credentials")
	must(t, k8s.Create(ctx, f))

	stalled := waitLive(t, f, "the credentials error", func(u *unstructured.Unstructured) string {
		return liveCondition(u, v1alpha1.ConditionStalled, "True", "CredentialsError")
	})
	checkHealth(t, stalled, status.FailedStatus, "Degraded", "apiSecret")

	must(t, k8s.Delete(ctx, f))
	waitGone(t, f)
}

// checkHealth asserts what Flux (kstatus) and Argo CD (the shipped Lua script) make of one
// live object; the Argo CD message must contain every part.
func checkHealth(t *testing.T, u *unstructured.Unstructured, wantKstatus status.Status, wantArgo string, messageParts ...string) {
	t.Helper()
	res, err := status.Compute(u)
	if err != nil {
		t.Fatalf("kstatus: %v", err)
	}
	t.Logf("%s: kstatus %s (%s)", u.GetName(), res.Status, res.Message)
	if res.Status != wantKstatus {
		t.Errorf("kstatus says %s (%s), want %s; conditions: %v", res.Status, res.Message, wantKstatus, u.Object["status"])
	}
	checkArgoHealth(t, u, wantArgo, messageParts...)
}

func checkArgoHealth(t *testing.T, u *unstructured.Unstructured, want string, messageParts ...string) {
	t.Helper()
	got, err := runArgoHealthScript(argoHealthScript(t), u)
	if err != nil {
		t.Fatalf("Argo CD health script on %s: %v", u.GetName(), err)
	}
	t.Logf("%s: Argo CD %s (%s)", u.GetName(), got.Status, got.Message)
	if got.Status != want {
		t.Errorf("Argo CD health %s (%q), want %s; status: %v", got.Status, got.Message, want, u.Object["status"])
	}
	for _, part := range messageParts {
		if !strings.Contains(got.Message, part) {
			t.Errorf("Argo CD health message %q does not contain %q", got.Message, part)
		}
	}
}

// argoHealthScript is the script both argocd-cm keys carry (config/argocd/kustomization.yaml).
func argoHealthScript(t *testing.T) string {
	t.Helper()
	script, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "argocd", "health.lua"))
	if err != nil {
		t.Fatal(err)
	}
	return string(script)
}

// waitLive polls the object as a GitOps tool reads it until match says "" and returns that
// reading, so what is checked is exactly one state the controllers wrote.
func waitLive(t *testing.T, obj *unstructured.Unstructured, what string, match func(*unstructured.Unstructured) string) *unstructured.Unstructured {
	t.Helper()
	var live *unstructured.Unstructured
	eventually(t, what+" on "+obj.GetName(), func() string {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(obj.GroupVersionKind())
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), u); err != nil {
			return err.Error()
		}
		if msg := match(u); msg != "" {
			return msg
		}
		live = u
		return ""
	})
	return live
}

// reconcilingBecauseOf matches an object whose Reconciling condition is True and names the
// platform's answer code: work under way or retried because of that answer.
func reconcilingBecauseOf(code string) func(*unstructured.Unstructured) string {
	return func(u *unstructured.Unstructured) string {
		c := findLiveCondition(u, v1alpha1.ConditionReconciling)
		if c == nil {
			return "no Reconciling condition yet"
		}
		if c["status"] != "True" || !strings.Contains(fmt.Sprint(c["message"]), code) {
			return fmt.Sprintf("Reconciling=%v reason %v: %v", c["status"], c["reason"], c["message"])
		}
		return ""
	}
}

func findLiveCondition(u *unstructured.Unstructured, condType string) map[string]any {
	conditions, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conditions {
		if c, ok := c.(map[string]any); ok && c["type"] == condType {
			return c
		}
	}
	return nil
}

// liveCondition returns "" when the unstructured object has the condition with the status
// and reason, or else what it has.
func liveCondition(u *unstructured.Unstructured, condType, wantStatus, wantReason string) string {
	c := findLiveCondition(u, condType)
	if c == nil {
		return "no " + condType + " condition yet"
	}
	if c["status"] != wantStatus || c["reason"] != wantReason {
		return fmt.Sprintf("%s=%v reason %v: %v", condType, c["status"], c["reason"], c["message"])
	}
	return ""
}

// healthIoTProduct is an IoTProduct as a user would apply it from Git.
func healthIoTProduct(ns, name string) *unstructured.Unstructured {
	return healthObject(healthIoTProductGVK, ns, name, map[string]any{
		"productName":          strings.ReplaceAll(ns+"_"+name, "-", "_"),
		"description":          "applied from Git",
		"region":               "cn-shanghai",
		"credentialsSecretRef": map[string]any{"name": "alibaba-credentials"},
	})
}

// healthFeed is a FlipsnackFeed of two products as a user would apply it from Git.
func healthFeed(ns, name, secret string) *unstructured.Unstructured {
	return healthObject(healthFeedGVK, ns, name, map[string]any{
		"credentialsSecretRef": map[string]any{"name": secret},
		"products": []any{
			map[string]any{"code": "HEALTH-1", "type": "product", "title": "Teapot", "sellPrice": "25.00", "currency": "EUR"},
			map[string]any{"code": "HEALTH-2", "type": "product", "title": "Kettle", "sellPrice": "40.00", "currency": "EUR"},
		},
	})
}

func healthObject(gvk schema.GroupVersionKind, ns, name string, spec map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"spec": spec}}
	u.SetGroupVersionKind(gvk)
	u.SetNamespace(ns)
	u.SetName(name)
	return u
}
