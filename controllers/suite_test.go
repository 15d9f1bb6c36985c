package controllers_test

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv/inproc"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
	fssim "github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

// The accepted credentials of the simulators, as a user would put them in Secrets.
const (
	alibabaKeyID  = "LTAI5tTestKeyID0001"
	alibabaSecret = "test-secret-do-not-leak-7f3a"
	// chainKeyID/chainSecret are the operator's own credentials, from its environment.
	chainKeyID  = "LTAI5tOperatorChain01"
	chainSecret = "operator-chain-secret-9c1d"
	// flipsnackKey/flipsnackSecret is the Flipsnack account of the feed tests; the large-feed
	// test uses an account of its own, so its 40 calls do not share a rate budget with them.
	flipsnackKey       = "fs-test-api-key-0001"
	flipsnackSecret    = "fs-test-api-secret-do-not-leak"
	flipsnackBigKey    = "fs-test-api-key-big-0002"
	flipsnackBigSecret = "fs-test-api-secret-big-0002"
	// The restart test's account: its slowed "old" operator must not hold up other tests.
	flipsnackRestartKey    = "fs-test-api-key-restart-0003"
	flipsnackRestartSecret = "fs-test-api-secret-restart-0003"
	// The feed-writes tests' accounts, one each: they count a deletion's writes, which a
	// budget spent by another test (5 calls a second) would spread over more passes.
	flipsnackWritesKey      = "fs-test-api-key-writes-0004"
	flipsnackWritesSecret   = "fs-test-api-secret-writes-0004"
	flipsnackRefusedKey     = "fs-test-api-key-refused-0005"
	flipsnackRefusedSecret  = "fs-test-api-secret-refused-0005"
	flipsnackWaitKey        = "fs-test-api-key-wait-0006"
	flipsnackWaitSecret     = "fs-test-api-secret-wait-0006"
	flipsnackPushWaitKey    = "fs-test-api-key-push-wait-0007"
	flipsnackPushWaitSecret = "fs-test-api-secret-push-wait-0007"
)

// ownCredentialsNamespace is the one namespace whose resources may use the operator's own
// credentials (--default-credentials-namespaces).
const ownCredentialsNamespace = "ctrl-own-credentials"

// ownManagerLabel marks objects that a test reconciles with managers of its own (a restart):
// the suite's manager leaves them alone.
const ownManagerLabel = "test.prodlife.dev/own-manager"

// Timings shortened for tests: the behaviour is the same as with the defaults, only faster.
const (
	testSyncPeriod = 2 * time.Second
	testSlowRetry  = 2 * time.Second
	testTimeout    = 5 * time.Second // of one platform call; generous, for a loaded CI machine
	waitFor        = 30 * time.Second
)

var (
	k8s client.Client
	// sims are every platform's simulator, each accepting its account of
	// testenv.DemoCredentials (and the two platforms' accounts below).
	sims   *testenv.Simulators
	iotSim *alibabaiot.Server
	iotURL string
	fsSim  *fssim.Server
	fsURL  string
	// restConfig reaches the API server as the manager's user, for tests that run managers
	// of their own.
	restConfig *rest.Config
	// managerK8s acts as the manager, for tests that change what only the operator may write
	// (the identity annotations).
	managerK8s client.Client
)

// TestMain runs the controllers in a manager against a real API server (envtest) and the
// simulated IoT API over real HTTP, as the operator runs in production.
//
// With -short (make unit) it starts none of that: only the tests that need no API server run
// (the engine on a fake client, the pure functions); every other test skips through
// needsAPIServer. make test runs without -short, so nothing is skipped there.
func TestMain(m *testing.M) {
	testenv.HandleReexec()
	flag.Parse()
	if testing.Short() {
		ctrl.SetLogger(zap.New(zap.WriteTo(logSink())))
		os.Exit(m.Run())
	}
	os.Exit(run(m))
}

// needsAPIServer skips a test that needs the suite's API server, manager and simulators when
// the run started none (-short, make unit). Every such test reaches it first, directly or
// through newNamespace.
func needsAPIServer(t *testing.T) {
	t.Helper()
	if k8s == nil {
		t.Skip("needs the API server (envtest); make test runs it")
	}
}

func run(m *testing.M) int {
	ctrl.SetLogger(zap.New(zap.WriteTo(logSink())))
	// The operator installed as users install it: the manager runs as its ServiceAccount, with
	// the RBAC and admission policies of config/default.
	env, err := testenv.StartInstalled(2 * time.Hour)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = env.Stop() }()
	k8s = env.Client
	restConfig = env.ManagerConfig
	if managerK8s, err = client.New(env.ManagerConfig, client.Options{Scheme: env.Scheme}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	stopNamespaces, err := env.StartNamespaceController()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer stopNamespaces()

	simOpts := testenv.SimulatorsAccepting(testenv.DemoCredentials)
	simOpts.Alibaba = alibabaiot.Options{
		AccessKeyID: alibabaKeyID, AccessKeySecret: alibabaSecret,
		Accounts: []alibabaiot.Account{{AccessKeyID: chainKeyID, AccessKeySecret: chainSecret}},
	}
	simOpts.Flipsnack = fssim.Options{
		APIKey: flipsnackKey, APISecret: flipsnackSecret,
		Accounts: map[string]string{flipsnackBigKey: flipsnackBigSecret, flipsnackRestartKey: flipsnackRestartSecret, flipsnackWritesKey: flipsnackWritesSecret,
			flipsnackRefusedKey: flipsnackRefusedSecret, flipsnackWaitKey: flipsnackWaitSecret,
			flipsnackPushWaitKey: flipsnackPushWaitSecret},
	}
	sims, err = testenv.StartSimulators(simOpts)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer sims.Close()
	iotSim, iotURL = sims.Alibaba, sims.AlibabaURL
	fsSim, fsURL = sims.Flipsnack, sims.FlipsnackEndpoint()

	// The operator's own credential chain reads the environment, as in a pod.
	os.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", chainKeyID)
	os.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", chainSecret)

	if err := k8s.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ownCredentialsNamespace}}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}

	notOwn, err := labels.Parse("!" + ownManagerLabel)
	if err != nil {
		panic(err)
	}
	// Wired as the manager binary wires it (inproc, as the test kit's): every platform of the
	// registry, from the flags that send its calls to its simulator, the indexes and the
	// credentials controller; its client and cache counted, and the feeds of tests that run
	// managers of their own left out of its cache.
	platforms, err := controllers.ParsePlatformFlags(sims.ManagerArgsTimingOut(testTimeout))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	platforms.Flipsnack.RetryBase = 100 * time.Millisecond
	cacheOpts := suiteCacheOptions(notOwn)
	_, stop, err := inproc.Start(inproc.Options{
		Config: env.ManagerConfig, Scheme: env.Scheme, Logger: ctrl.Log,
		Engine: engine.Options{
			SyncPeriod: testSyncPeriod, SlowRetry: testSlowRetry, MaxConcurrentReconciles: 4,
			RetryBaseDelay: 50 * time.Millisecond, RetryMaxDelay: 500 * time.Millisecond,
			DefaultCredentialsNamespaces: []string{ownCredentialsNamespace},
		},
		Platforms: platforms,
		Cache:     &cacheOpts, NewClient: newCountingClient, NewCache: newRecordingCache,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	code := m.Run()
	if err := stop(); err != nil {
		fmt.Fprintln(os.Stderr, "manager:", err)
	}
	return code
}

// logSink keeps the manager quiet unless a developer asks for its logs with TEST_LOGS=1.
func logSink() io.Writer {
	if os.Getenv("TEST_LOGS") != "" {
		return os.Stderr
	}
	return io.Discard
}

// suiteCacheOptions are the operator's cache options, with the feeds of tests that run
// managers of their own left out.
func suiteCacheOptions(feeds labels.Selector) cache.Options {
	opts := controllers.CacheOptions(nil)
	opts.ByObject = map[client.Object]cache.ByObject{&v1alpha1.FlipsnackFeed{}: {Label: feeds}}
	return opts
}

// ownManager is a manager of a test's own, on the operator's client and cache options
// (inproc.NewManager), whose cache holds only the feeds labelled ownManagerLabel: the
// suite's operator leaves those out.
func ownManager() (ctrl.Manager, error) {
	cacheOpts := suiteCacheOptions(labels.SelectorFromSet(labels.Set{ownManagerLabel: "true"}))
	return inproc.NewManager(inproc.Options{Config: restConfig, Scheme: testenv.NewScheme(), Logger: ctrl.Log, Cache: &cacheOpts})
}
