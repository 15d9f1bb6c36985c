package prodlifetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/controllers"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
	"github.com/prodlife/product-lifecycle-operator/internal/alibaba"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv/inproc"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
	fssim "github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

// ManagerUsername is the user the kit's manager runs as: the operator's ServiceAccount as
// config/default installs it, with the RBAC config/rbac ships (a permission the operator
// lacks there fails your tests as it would fail your cluster), and the identity that RBAC
// grant makes the operator for the admission policies, the one (but cluster administrators,
// Env.Client included) that may write the operator's annotations.
const ManagerUsername = "system:serviceaccount:" + testenv.OperatorNamespace + ":" + testenv.OperatorServiceAccount

// Options configure Start. The zero value is a working environment: a kit-started API
// server, the platforms' documented rate limits, no faults.
type Options struct {
	// Config reaches the caller's API server (e.g. an envtest.Environment's) as a user that
	// may impersonate; nil makes the kit start an envtest API server from KUBEBUILDER_ASSETS.
	Config *rest.Config

	// Namespaces are namespaces the test creates itself that the manager watches beside
	// Env.Namespace. AllNamespaces makes it watch every namespace instead (then run one Env
	// per API server at a time: two would reconcile the same objects).
	Namespaces    []string
	AllNamespaces bool

	// DefaultCredentialsNamespaces are the namespaces whose resources may use the operator's
	// own credentials (an IoTProduct without credentialsSecretRef), as the operator's
	// --default-credentials-namespaces; "*" allows every namespace. The operator's own
	// credentials are an account the IoT simulator accepts, given to the operator's client
	// alone (never to the process's environment), so Start may run in parallel tests.
	DefaultCredentialsNamespaces []string

	// SyncPeriod is how often a product that can be read back is observed again (drift
	// correction), as --sync-period; 0 means 10 seconds.
	SyncPeriod time.Duration

	// AlibabaQPS overrides the per-action limits (calls per second and account) of the
	// simulated IoT Platform, and the operator paces its calls by the same; an action's 0 or
	// negative means unlimited. Unset actions keep alibabaiot.DefaultQPS, the documented ones.
	AlibabaQPS map[string]int
	// FlipsnackPerSecond and FlipsnackPerMinute are the budget of one apiKey on the
	// simulated Flipsnack, and the operator's pace: 0 means the documented 5 and 60, negative
	// means unlimited.
	FlipsnackPerSecond, FlipsnackPerMinute int

	// AlibabaFaults and FlipsnackFaults are in force from the start (both simulators'
	// SetFaults change them later).
	AlibabaFaults   alibabaiot.Faults
	FlipsnackFaults map[string]fssim.Fault

	// Logger receives the manager's logs. Without one they are discarded, or with
	// LogsOnFailure kept and written to the test's log if it fails.
	Logger        logr.Logger
	LogsOnFailure bool
}

// Env is a running environment. Its fields are for reading; Start fills them.
type Env struct {
	// Config and Client reach the API server as the caller (or as envtest's admin when the
	// kit started it). Client's Scheme knows the built-in kinds and the operator's.
	// Client validates fields strictly: a field the CRD does not know fails the request
	// instead of being dropped.
	Config *rest.Config
	Client client.Client
	Scheme *k8sruntime.Scheme

	// Namespace is the test's own namespace, made for it (named after the test) with the
	// Secrets of CreateCredentials, and watched by its manager. When the test ends the kit
	// deletes the operator's resources in it through the operator (so the platforms are left
	// clean), then the namespace.
	Namespace string

	// Alibaba and Flipsnack are the simulated platforms: their methods seed products, read
	// the call log and inject faults. The operator reaches them at AlibabaURL and
	// FlipsnackURL.
	Alibaba      *alibabaiot.Server
	AlibabaURL   string
	Flipsnack    *fssim.Server
	FlipsnackURL string

	// sims are every platform's simulator, Alibaba and Flipsnack among them.
	sims *testenv.Simulators
}

// Timings of the kit's operator: the behaviour is the operator's, only the waits are short.
const (
	defaultSyncPeriod = 10 * time.Second
	slowRetry         = 5 * time.Second
	retryBaseDelay    = 100 * time.Millisecond
	retryMaxDelay     = 2 * time.Second
	callTimeout       = 5 * time.Second
)

// Start runs the simulators and the operator for the test t and returns the environment;
// t.Cleanup stops them (and the API server, if the kit started it). Any failure to start
// fails the test.
func Start(t testing.TB, opts Options) *Env {
	t.Helper()
	env, err := start(t, opts)
	if err != nil {
		t.Fatalf("prodlifetest: %v", err)
	}
	return env
}

func start(t testing.TB, opts Options) (*Env, error) {
	server, err := apiServer(t, opts.Config)
	if err != nil {
		return nil, err
	}
	env := &Env{
		Config: server.config,
		Client: client.WithFieldValidation(server.client, metav1.FieldValidationStrict),
		Scheme: server.client.Scheme(),
	}
	if err := env.startSimulators(t, opts); err != nil {
		return nil, err
	}
	if env.Namespace, err = env.createNamespace(t); err != nil {
		return nil, err
	}
	if err := env.startManager(t, opts, server.managerConfig); err != nil {
		return nil, err
	}
	// Registered last, so it runs first: the manager and the simulators are still there to
	// delete what the test left on the platforms.
	t.Cleanup(func() { env.cleanUpNamespace(t) })
	return env, nil
}

// startSimulators serves every simulated platform on loopback HTTP servers.
func (e *Env) startSimulators(t testing.TB, opts Options) error {
	simOpts := testenv.SimulatorsAccepting(kitCredentials)
	simOpts.Alibaba.Accounts = []alibabaiot.Account{{AccessKeyID: operatorAccessKeyID, AccessKeySecret: operatorAccessKeySecret}}
	simOpts.Alibaba.QPS = opts.AlibabaQPS
	simOpts.Flipsnack.PerSecond, simOpts.Flipsnack.PerMinute = opts.FlipsnackPerSecond, opts.FlipsnackPerMinute
	sims, err := testenv.StartSimulators(simOpts)
	if err != nil {
		return err
	}
	t.Cleanup(sims.Close)
	e.sims = sims
	e.Alibaba, e.AlibabaURL = sims.Alibaba, sims.AlibabaURL
	e.Flipsnack, e.FlipsnackURL = sims.Flipsnack, sims.FlipsnackEndpoint()
	return nil
}

// startManager runs the operator's controllers as ManagerUsername until the test ends.
func (e *Env) startManager(t testing.TB, opts Options, managerConfig *rest.Config) error {
	if len(opts.AlibabaFaults) > 0 {
		if err := e.Alibaba.SetFaults(opts.AlibabaFaults); err != nil {
			return fmt.Errorf("Options.AlibabaFaults: %w", err)
		}
	}
	if len(opts.FlipsnackFaults) > 0 {
		if err := e.Flipsnack.SetFaults(opts.FlipsnackFaults); err != nil {
			return fmt.Errorf("Options.FlipsnackFaults: %w", err)
		}
	}

	cfg := rest.CopyConfig(managerConfig)
	cfg.QPS, cfg.Burst = -1, 0 // the operator's default: no client-side limit
	namespaces := append([]string{e.Namespace}, opts.Namespaces...)
	if opts.AllNamespaces {
		namespaces = nil
	}
	logger, flushLogs := managerLogger(t, opts)

	syncPeriod := opts.SyncPeriod
	if syncPeriod <= 0 {
		syncPeriod = defaultSyncPeriod
	}
	// The platforms' settings are the manager binary's flags, then what only a test sets.
	platforms, err := controllers.ParsePlatformFlags(e.sims.ManagerArgsTimingOut(callTimeout))
	if err != nil {
		return err
	}
	for action, n := range opts.AlibabaQPS {
		platforms.Alibaba.QPS[action] = float64(n)
	}
	// The operator's own credentials (an account the simulator accepts), given to its client
	// rather than to the process's environment, so that kits run in parallel.
	platforms.Alibaba.OwnCredentials = &alibaba.Credentials{AccessKeyID: operatorAccessKeyID, AccessKeySecret: operatorAccessKeySecret}
	platforms.Flipsnack.RetryBase = retryBaseDelay
	platforms.Flipsnack.PerSecond, platforms.Flipsnack.PerMinute = opts.FlipsnackPerSecond, opts.FlipsnackPerMinute
	_, stop, err := inproc.Start(inproc.Options{
		Config: cfg, Scheme: e.Scheme, Namespaces: namespaces, Logger: logger,
		Engine: engine.Options{
			SyncPeriod: syncPeriod, SlowRetry: slowRetry, MaxConcurrentReconciles: 4,
			RetryBaseDelay: retryBaseDelay, RetryMaxDelay: retryMaxDelay,
			DefaultCredentialsNamespaces: opts.DefaultCredentialsNamespaces,
		},
		Platforms: platforms,
		// A test package may start one Env per test, each with the same controllers.
		SkipNameValidation: true,
	})
	if err != nil {
		return err
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("prodlifetest: the manager stopped with an error: %v", err)
		}
		flushLogs()
	})
	return nil
}
