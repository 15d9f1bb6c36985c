package install_test

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/internal/alibaba"
	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
	"github.com/prodlife/product-lifecycle-operator/internal/flipsnack"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

// The live check (`make test-live`): the installed operator creates, updates, reads back and
// deletes one IoT product and one small feed on the real platforms, with credentials from
// the environment. `make test` runs the same test against the simulators, given to the
// manager by the same endpoint flags a user would set (PRODLIFE_LIVE unset).
//
// PRODLIFE_LIVE=real runs it against the platforms:
//   - ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN
//     for STS credentials), with the RAM policy of config/alibaba/ram-policy.json;
//     PRODLIFE_LIVE_REGION (default cn-shanghai), PRODLIFE_LIVE_IOT_INSTANCE_ID (an Enterprise
//     instance; empty: the public instance), PRODLIFE_LIVE_ALIBABA_ENDPOINT (empty: the region's);
//   - FLIPSNACK_API_KEY, FLIPSNACK_API_SECRET, PRODLIFE_LIVE_FLIPSNACK_ENDPOINT (empty: the
//     platform's).
//
// A platform without credentials is skipped, saying so. Every name carries a run id, and a
// cleanup pass deletes whatever the run made, however the test ends.
type liveConfig struct {
	real                               bool
	creds                              testenv.Credentials
	securityToken                      string
	region, instance                   string
	alibabaEndpoint, flipsnackEndpoint string
	haveAlibaba, haveFlipsnack         bool
	sims                               *testenv.Simulators
}

func liveSettings(t *testing.T) liveConfig {
	t.Helper()
	cfg := liveConfig{real: os.Getenv("PRODLIFE_LIVE") == "real", region: cmp.Or(os.Getenv("PRODLIFE_LIVE_REGION"), "cn-shanghai"),
		instance: os.Getenv("PRODLIFE_LIVE_IOT_INSTANCE_ID")}
	if !cfg.real {
		cfg.creds = creds
		sims, err := testenv.StartSimulators(testenv.SimulatorsAccepting(creds))
		must(t, err)
		t.Cleanup(sims.Close)
		cfg.sims, cfg.alibabaEndpoint, cfg.flipsnackEndpoint = sims, sims.AlibabaURL, sims.FlipsnackEndpoint()
		cfg.haveAlibaba, cfg.haveFlipsnack = true, true
		return cfg
	}
	cfg.creds = testenv.Credentials{
		AlibabaAccessKeyID: os.Getenv("ALIBABA_CLOUD_ACCESS_KEY_ID"), AlibabaAccessKeySecret: os.Getenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
		FlipsnackAPIKey: os.Getenv("FLIPSNACK_API_KEY"), FlipsnackAPISecret: os.Getenv("FLIPSNACK_API_SECRET"),
	}
	cfg.securityToken = os.Getenv("ALIBABA_CLOUD_SECURITY_TOKEN")
	cfg.alibabaEndpoint, cfg.flipsnackEndpoint = os.Getenv("PRODLIFE_LIVE_ALIBABA_ENDPOINT"), os.Getenv("PRODLIFE_LIVE_FLIPSNACK_ENDPOINT")
	cfg.haveAlibaba = cfg.creds.AlibabaAccessKeyID != "" && cfg.creds.AlibabaAccessKeySecret != ""
	cfg.haveFlipsnack = cfg.creds.FlipsnackAPIKey != "" && cfg.creds.FlipsnackAPISecret != ""
	if !cfg.haveAlibaba && !cfg.haveFlipsnack {
		t.Skip("skipped: no credentials of either platform in the environment " +
			"(ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET; FLIPSNACK_API_KEY and FLIPSNACK_API_SECRET)")
	}
	return cfg
}

func TestLiveLifecycleOfOneProductAndOneFeed(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an API server and the manager binary")
	}
	cfg := liveSettings(t)
	// The endpoint flags only where the run names an endpoint: against the real platforms
	// the manager's defaults are what a user gets.
	var endpoints []string
	if cfg.alibabaEndpoint != "" {
		endpoints = append(endpoints, "--alibaba-endpoint="+cfg.alibabaEndpoint)
	}
	if cfg.flipsnackEndpoint != "" {
		endpoints = append(endpoints, "--flipsnack-endpoint="+cfg.flipsnackEndpoint)
	}
	admin, _ := startInstalled(t, installations[0], managerBinary(t), endpoints...)
	must(t, testenv.ApplyCredentials(context.Background(), admin, tenant, cfg.creds, "live-test"))
	if cfg.securityToken != "" {
		secret := &corev1.Secret{}
		must(t, admin.Get(context.Background(), client.ObjectKey{Namespace: tenant, Name: testenv.AlibabaSecretName}, secret))
		secret.Data[v1alpha1.SecretKeySecurityToken] = []byte(cfg.securityToken)
		must(t, admin.Update(context.Background(), secret))
	}
	run := runID(t)
	t.Logf("run id %s (every name this run makes carries it)", run)

	t.Run("IoTProduct", func(t *testing.T) {
		if !cfg.haveAlibaba {
			t.Skip("skipped: no Alibaba Cloud credentials (ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET)")
		}
		liveIoTProduct(t, admin, cfg, run)
	})
	t.Run("FlipsnackFeed", func(t *testing.T) {
		if !cfg.haveFlipsnack {
			t.Skip("skipped: no Flipsnack credentials (FLIPSNACK_API_KEY, FLIPSNACK_API_SECRET)")
		}
		liveFeed(t, admin, cfg, run)
	})
}

func liveIoTProduct(t *testing.T, admin client.Client, cfg liveConfig, run string) {
	ctx := context.Background()
	platform := aliClient(t, cfg)
	name := "plo_live_" + run
	t.Cleanup(func() { removeLiveProducts(t, platform, name) })

	p := &v1alpha1.IoTProduct{
		ObjectMeta: metav1.ObjectMeta{Namespace: tenant, Name: "live-" + run},
		Spec: v1alpha1.IoTProductSpec{
			ProductName: name, Description: "product-lifecycle-operator live check " + run,
			Region: cfg.region, IotInstanceID: cfg.instance,
			NodeType: v1alpha1.NodeTypeDevice, DataFormat: v1alpha1.DataFormatAlinkJSON,
			CredentialsSecretRef: &v1alpha1.SecretReference{Name: testenv.AlibabaSecretName},
		},
	}
	must(t, admin.Create(ctx, p))
	waitReadyAtGeneration(t, admin, p)
	key := p.Annotations[v1alpha1.ExternalIDAnnotation]

	updated := "product-lifecycle-operator live check " + run + ", updated"
	must(t, admin.Get(ctx, client.ObjectKeyFromObject(p), p))
	p.Spec.Description = updated
	must(t, admin.Update(ctx, p))
	waitReadyAtGeneration(t, admin, p)
	got, _, err := platform.QueryProduct(ctx, key)
	must(t, err)
	if got.Description != updated || got.ProductName != name {
		t.Errorf("the platform reads back product %s as %q, %q; want %q, %q", key, got.ProductName, got.Description, name, updated)
	}

	must(t, admin.Delete(ctx, p))
	waitGone(t, admin, p)
	if _, _, err := platform.QueryProduct(ctx, key); !apierr.Is(err, apierr.NotFound) {
		t.Errorf("after the deletion the platform answers QueryProduct %s with %v, want not found", key, err)
	}
}

func liveFeed(t *testing.T, admin client.Client, cfg liveConfig, run string) {
	ctx := context.Background()
	platform := flipsnack.NewClientSet(flipsnack.Options{Endpoint: cmp.Or(cfg.flipsnackEndpoint, flipsnack.DefaultEndpoint), Timeout: 30 * time.Second}).
		For(cfg.creds.FlipsnackAPIKey, cfg.creds.FlipsnackAPISecret)
	sku := "PLO-LIVE-" + strings.ToUpper(run)
	f := &v1alpha1.FlipsnackFeed{
		ObjectMeta: metav1.ObjectMeta{Namespace: tenant, Name: "live-" + run},
		Spec: v1alpha1.FlipsnackFeedSpec{
			CredentialsSecretRef: v1alpha1.SecretReference{Name: testenv.FlipsnackSecretName},
			Products:             []v1alpha1.FeedProduct{{Code: sku, Type: "product", Title: "Live check " + run}},
		},
	}
	must(t, admin.Create(ctx, f))
	var sourceHash string
	t.Cleanup(func() {
		if sourceHash == "" {
			return
		}
		// Deleting what is already gone is done as well.
		_, err := platform.DeleteProducts(context.Background(), sourceHash, []string{sku}, nil)
		if err != nil && !apierr.Is(err, apierr.NotFound) {
			t.Errorf("cleanup: deleting SKU %s of feed %s: %v", sku, sourceHash, err)
		}
	})
	waitReadyAtGeneration(t, admin, f)
	sourceHash = f.Status.SourceHash

	must(t, admin.Get(ctx, client.ObjectKeyFromObject(f), f))
	f.Spec.Products[0].Title = "Live check " + run + ", updated"
	must(t, admin.Update(ctx, f))
	waitReadyAtGeneration(t, admin, f)
	// Flipsnack has no read action: what the operator recorded is what it can read back.
	if f.Status.ProductsPushed != 1 || f.Status.SourceHash != sourceHash {
		t.Errorf("status says %d products pushed to %q, want 1 to %q", f.Status.ProductsPushed, f.Status.SourceHash, sourceHash)
	}
	if cfg.sims != nil {
		feeds := cfg.sims.Flipsnack.Feeds()
		if len(feeds) != 1 || len(feeds[0].Products) != 1 || !strings.Contains(string(feeds[0].Products[0]), "updated") {
			t.Errorf("the simulated platform holds %v, want the one updated product", feeds)
		}
	}

	must(t, admin.Delete(ctx, f))
	waitGone(t, admin, f)
	if cfg.sims != nil {
		for _, feed := range cfg.sims.Flipsnack.Feeds() {
			if len(feed.Products) != 0 {
				t.Errorf("feed %s still holds %d products", feed.SourceHash, len(feed.Products))
			}
		}
	}
}

func aliClient(t *testing.T, cfg liveConfig) *alibaba.Client {
	t.Helper()
	clients, err := alibaba.NewClientSet(alibaba.Options{Endpoint: cfg.alibabaEndpoint, Timeout: 30 * time.Second})
	must(t, err)
	c, err := clients.For(&alibaba.Credentials{AccessKeyID: cfg.creds.AlibabaAccessKeyID, AccessKeySecret: cfg.creds.AlibabaAccessKeySecret,
		SecurityToken: cfg.securityToken}, cfg.region)
	must(t, err)
	return c.WithIotInstance(cfg.instance)
}

// removeLiveProducts deletes every product of the account whose name this run gave it. It
// lists every page first, so that its own deletions do not move products past it.
func removeLiveProducts(t *testing.T, c *alibaba.Client, name string) {
	ctx := context.Background()
	var made []alibaba.Product
	for page := 1; ; page++ {
		got, _, err := c.QueryProductList(ctx, page, alibaba.MaxPageSize)
		if err != nil {
			t.Errorf("cleanup: listing products: %v", err)
			return
		}
		for _, p := range got.Products {
			if p.ProductName == name {
				made = append(made, p)
			}
		}
		if page >= got.PageCount {
			break
		}
	}
	for _, p := range made {
		if _, err := c.DeleteProduct(ctx, p.ProductKey); err != nil && !apierr.Is(err, apierr.NotFound) {
			t.Errorf("cleanup: deleting product %s (%s): %v", p.ProductKey, p.ProductName, err)
		} else {
			t.Logf("cleanup: deleted product %s (%s)", p.ProductKey, p.ProductName)
		}
	}
}

// waitReadyAtGeneration waits until obj is Ready of its current generation, and leaves its
// latest state in obj.
func waitReadyAtGeneration(t *testing.T, c client.Client, obj interface {
	client.Object
	GetCommonStatus() *v1alpha1.CommonStatus
}) {
	t.Helper()
	eventually(t, obj.GetName()+" Ready", func() string {
		if err := c.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
			return err.Error()
		}
		ready := meta.FindStatusCondition(obj.GetCommonStatus().Conditions, v1alpha1.ConditionReady)
		if ready == nil || ready.Status != metav1.ConditionTrue || ready.ObservedGeneration != obj.GetGeneration() {
			return fmt.Sprintf("generation %d, conditions %v", obj.GetGeneration(), obj.GetCommonStatus().Conditions)
		}
		return ""
	})
}

// runID is short, random and lower case: it goes into product names and SKUs.
func runID(t *testing.T) string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// The cleanup pass deletes what the run made, and nothing else of the account, across pages.
func TestLiveCleanupDeletesOnlyWhatTheRunMade(t *testing.T) {
	cfg := liveConfig{creds: creds, region: "cn-shanghai"}
	sims, err := testenv.StartSimulators(testenv.SimulatorsAccepting(creds))
	must(t, err)
	t.Cleanup(sims.Close)
	cfg.alibabaEndpoint = sims.AlibabaURL
	for i := range alibaba.MaxPageSize + 5 {
		_, err := sims.Alibaba.AddProduct(alibabaiot.Product{ProductName: fmt.Sprintf("someone_else_%d", i)})
		must(t, err)
	}
	_, err = sims.Alibaba.AddProduct(alibabaiot.Product{ProductName: "plo_live_0badf00d"})
	must(t, err)

	removeLiveProducts(t, aliClient(t, cfg), "plo_live_0badf00d")
	left := sims.Alibaba.Products()
	if len(left) != alibaba.MaxPageSize+5 {
		t.Errorf("%d products left, want the %d the run did not make", len(left), alibaba.MaxPageSize+5)
	}
	for _, p := range left {
		if strings.HasPrefix(p.ProductName, "plo_live_") {
			t.Errorf("the run's product %s is left", p.ProductName)
		}
	}
}
