package controllers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	fssim "github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

// A tenant's feeds on an apiKey the platform refuses spend that key's budget (60 calls a
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
	for i := range 100 {
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
