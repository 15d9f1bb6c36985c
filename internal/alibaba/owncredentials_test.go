package alibaba

import (
	"context"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

// OwnCredentials stand for the default chain: a client without credentials signs with them,
// whatever the process's environment holds.
func TestOwnCredentialsStandForTheDefaultChain(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tNotTheOwnKey0001")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "not-the-own-secret")
	env := newTestEnv(t, alibabaiot.Options{}, Options{OwnCredentials: &Credentials{AccessKeyID: simKeyID, AccessKeySecret: simSecret}})
	c, err := env.set.For(nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.QueryProductList(context.Background(), 1, 10); err != nil {
		t.Fatalf("a client of the operator's own credentials: %v", err)
	}
	if calls := env.sim.Calls(ActionQueryProductList); len(calls) != 1 || calls[0].AccessKeyID != simKeyID {
		t.Errorf("the platform saw %+v, want one call signed by %s", calls, simKeyID)
	}
}
