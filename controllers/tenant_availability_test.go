package controllers_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
	fssim "github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// A tenant's 300 feeds on an apiKey the platform refuses spend that key's budget (60 calls a
// minute) within seconds and keep knocking. No worker waits for that budget: each of those
// feeds goes back to the queue until it refills, and a feed of another namespace, on its own
// good account, is Ready as soon as it would be with nobody attacking (seconds, not the minute
// the attacker's budget takes to refill).
func TestAnotherTenantsSpentBudgetHoldsNoWorker(t *testing.T) {
	needsAPIServer(t)
	ctx := context.Background()
	const attackerKey = "fs-attacker-key-refused"
	attacker := newFeedNamespace(t, attackerKey, "fs-attacker-secret")
	var feeds []*v1alpha1.FlipsnackFeed
	for i := range 300 {
		f := newFeed(attacker, fmt.Sprintf("noise-%03d", i))
		must(t, k8s.Create(ctx, f))
		feeds = append(feeds, f)
	}
	t.Cleanup(func() {
		for _, f := range feeds {
			_ = k8s.Delete(context.Background(), f)
		}
	})
	// The attacker's key has spent its budget: the platform saw its minute's 60 calls.
	attackerAccount := fssim.AccountLabel(attackerKey)
	eventually(t, "the attacker's key to spend its budget", func() string {
		n := 0
		for _, c := range fsSim.Calls() {
			if c.Account == attackerAccount {
				n++
			}
		}
		if n < 60 {
			return fmt.Sprintf("%d calls of the attacker's key so far", n)
		}
		return ""
	})

	victim := newFeed(newFeedNamespace(t, flipsnackKey, flipsnackSecret), "quiet")
	start := time.Now()
	readyFeed(t, victim)
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("the quiet namespace's feed was Ready after %s, with another tenant's budget spent", took.Round(time.Millisecond))
	}
	deleteAndWaitGone(t, victim)
}

// A tenant's thousand products on an account the platform keeps throttling are all in
// flight, retried again and again: a product of another namespace, on its own account, goes
// ahead of them in the queue (engine/fairqueue.go) and is Ready within seconds.
func TestAnotherTenantsThousandFailingProductsHoldUpNoOne(t *testing.T) {
	needsAPIServer(t)
	ctx := context.Background()
	must(t, iotSim.SetFaults(alibabaiot.Faults{alibabaiot.ActionCreateProduct: {ErrorRate: 1, Code: "Throttling.User", AccessKeyID: chainKeyID}}))
	attacker := newNamespace(t)
	createSecret(t, attacker, "attacker-account", map[string]string{"accessKeyId": chainKeyID, "accessKeySecret": chainSecret})
	t.Cleanup(func() {
		iotSim.ClearFaults()
		deleteAllAndWait(t, attacker, &v1alpha1.IoTProduct{}, &v1alpha1.IoTProductList{})
	})
	const n = 1000
	names := make(chan int, n)
	for i := range n {
		names <- i
	}
	close(names)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range names {
				p := newProduct(attacker, fmt.Sprintf("noise-%04d", i), func(p *v1alpha1.IoTProduct) {
					p.Spec.CredentialsSecretRef = &v1alpha1.SecretReference{Name: "attacker-account"}
				})
				if err := k8s.Create(ctx, p); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	// The attacker's products are being tried and throttled, hundreds of them at least.
	eventually(t, "the attacker's creates to be throttled", func() string {
		throttled := 0
		for _, c := range iotSim.Calls(alibabaiot.ActionCreateProduct) {
			if c.AccessKeyID == chainKeyID && c.Code == "Throttling.User" {
				throttled++
			}
		}
		if throttled < 200 {
			return fmt.Sprintf("%d of the attacker's creates throttled so far", throttled)
		}
		return ""
	})

	start := time.Now()
	victim, _ := readyProduct(t, newNamespace(t), "quiet")
	took := time.Since(start)
	t.Logf("the quiet namespace's product was Ready after %s", took.Round(time.Millisecond))
	// Nobody attacking, it takes a fraction of a second; behind the thousand in a queue of
	// first come, first served it took 10 s on a two-core machine. The goal is 15 s; the
	// bound here is tighter, so that losing the fair queue fails it.
	if took > 5*time.Second {
		t.Errorf("the quiet namespace's product was Ready after %s, with another tenant's %d failing products in flight", took.Round(time.Millisecond), n)
	}
	deleteAndWaitGone(t, victim)
}

// A tenant's 300 feeds on her own account, which the platform answers with 32 (its minute's
// budget spent), wait for that account without a worker: a feed of another namespace, on its
// own account, is Ready within seconds.
func TestAnotherTenantsThrottledAccountHoldsUpNoFeed(t *testing.T) {
	needsAPIServer(t)
	ctx := context.Background()
	must(t, fsSim.SetFaults(map[string]fssim.Fault{"*": {ErrorRate: 1, Code: "32", APIKey: flipsnackRestartKey}}))
	attacker := newFeedNamespace(t, flipsnackRestartKey, flipsnackRestartSecret)
	t.Cleanup(func() {
		fsSim.ClearFaults()
		deleteAllAndWait(t, attacker, &v1alpha1.FlipsnackFeed{}, &v1alpha1.FlipsnackFeedList{})
	})
	for i := range 300 {
		must(t, k8s.Create(ctx, newFeed(attacker, fmt.Sprintf("throttled-%03d", i))))
	}
	attackerAccount := fssim.AccountLabel(flipsnackRestartKey)
	eventually(t, "the attacker's account to be answered 32", func() string {
		n := 0
		for _, c := range fsSim.Calls() {
			if c.Account == attackerAccount && c.Code == fssim.CodePerMinuteLimit {
				n++
			}
		}
		if n < 20 {
			return fmt.Sprintf("%d of the attacker's calls answered 32 so far", n)
		}
		return ""
	})

	victim := newFeed(newFeedNamespace(t, flipsnackKey, flipsnackSecret), "quiet")
	start := time.Now()
	readyFeed(t, victim)
	took := time.Since(start)
	t.Logf("the quiet namespace's feed was Ready after %s", took.Round(time.Millisecond))
	if took > 5*time.Second {
		t.Errorf("the quiet namespace's feed was Ready after %s, with another tenant's account answering 32", took.Round(time.Millisecond))
	}
	deleteAndWaitGone(t, victim)
}

// deleteAllAndWait deletes every obj of the kind in ns and waits until the operator has let
// them all go, so that a tenant's attack does not go on into the next test.
func deleteAllAndWait(t *testing.T, ns string, obj client.Object, list client.ObjectList) {
	t.Helper()
	ctx := context.Background()
	must(t, k8s.DeleteAllOf(ctx, obj, client.InNamespace(ns)))
	testenv.Eventually(t, 3*time.Minute, fmt.Sprintf("the %T of %s to go", obj, ns), func() string {
		must(t, k8s.List(ctx, list, client.InNamespace(ns)))
		if n := meta.LenList(list); n > 0 {
			return fmt.Sprintf("%d left", n)
		}
		return ""
	})
}
