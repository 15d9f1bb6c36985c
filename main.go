// Command manager runs the product-lifecycle-operator: the controllers that create, keep in
// line and delete Alibaba Cloud IoT products and Flipsnack product feeds.
package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	prodlifev1alpha1 "github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
	"github.com/prodlife/product-lifecycle-operator/internal/metrics"
	"github.com/prodlife/product-lifecycle-operator/internal/metrics/serving"
)

var scheme = runtime.NewScheme()

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(prodlifev1alpha1.AddToScheme(scheme))
}

func main() {
	// --kubeconfig is registered on flag.CommandLine by controller-runtime itself.
	flags := bindFlags(flag.CommandLine)
	flag.Parse()

	ctrl.SetLogger(newLogger(flags))
	setupLog := ctrl.Log.WithName("setup")
	if soft, err := setMemoryLimit(os.Getenv); err != nil {
		setupLog.Error(err, "unable to set the memory limit")
		os.Exit(1)
	} else if soft > 0 {
		setupLog.Info("soft memory limit set from the container's", "bytes", soft, "share", memoryLimitShare)
	}
	if percent := setGCPercent(os.Getenv); percent > 0 {
		setupLog.Info("garbage collector pace set", "GOGC", percent)
	}

	mgr, err := newManager(flags.kubeAPI.apply(ctrl.GetConfigOrDie()), flags)
	if err != nil {
		setupLog.Error(err, "unable to set up the manager")
		os.Exit(1)
	}
	setupLog.Info("starting the manager", "namespaces", flags.namespaces.String(),
		"defaultCredentialsNamespaces", strings.Join(flags.controllers.DefaultCredentialsNamespaces, ","))
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		setupLog.Error(err, "the manager stopped with an error")
		os.Exit(1)
	}
}

// operatorFlags is everything the command line sets.
type operatorFlags struct {
	metrics     serving.Flags
	probeAddr   string
	pprofAddr   string
	leaderElect bool
	namespaces  namespacesFlag
	kubeAPI     kubeAPIFlags
	controllers engine.Options
	platforms   controllers.PlatformOptions
	log         zap.Options

	// leaderElection tunes the Lease: where it lives and how fast a standby takes over.
	leaderElection leaderElectionFlags
}

// leaderElectionFlags are the Lease settings; the durations default to controller-runtime's.
type leaderElectionFlags struct {
	namespace                                 string
	leaseDuration, renewDeadline, retryPeriod time.Duration
}

// bindFlags registers the operator's flags on fs; main uses flag.CommandLine, tests a set of
// their own.
func bindFlags(fs *flag.FlagSet) *operatorFlags {
	f := &operatorFlags{
		// JSON lines for log collectors; --zap-devel switches to the console format.
		log: zap.Options{Development: false},
	}
	f.metrics.Bind(fs)
	fs.StringVar(&f.probeAddr, "health-probe-bind-address", ":8081", "Address the /healthz and /readyz probes bind to.")
	fs.StringVar(&f.pprofAddr, "pprof-bind-address", "0", "Address Go's profiling endpoints (/debug/pprof/) bind to, for measuring where memory and CPU go; \"0\" (the default) serves none. "+
		"They answer anyone who reaches the port: bind them to 127.0.0.1 and reach them with kubectl port-forward.")
	fs.BoolVar(&f.leaderElect, "leader-elect", false, "Elect a leader so that only one of several replicas reconciles at a time.")
	fs.StringVar(&f.leaderElection.namespace, "leader-election-namespace", "", "Namespace of the leader election Lease; empty means the operator's own namespace, which only a manager running in a cluster knows.")
	fs.DurationVar(&f.leaderElection.leaseDuration, "leader-elect-lease-duration", 15*time.Second, "How long standbys wait after the leader's last renewal before taking over (a leader that dies without releasing the Lease is replaced after this).")
	fs.DurationVar(&f.leaderElection.renewDeadline, "leader-elect-renew-deadline", 10*time.Second, "How long the leader keeps trying to renew the Lease before it gives up leadership and exits; shorter than the lease duration.")
	fs.DurationVar(&f.leaderElection.retryPeriod, "leader-elect-retry-period", 2*time.Second, "How often candidates try to take or renew the Lease.")
	fs.Var(&f.namespaces, "namespaces", "Comma-separated namespaces to watch and reconcile; empty (the default) means all namespaces. "+
		"The operator then reads IoTProducts, FlipsnackFeeds, Secrets and ConfigMaps only there, so its RBAC must match: "+
		"a Role and RoleBinding in each of these namespaces instead of a ClusterRole (and, with --leader-elect, the lease Role in the operator's own namespace).")
	fs.Var((*ownCredentialsNamespacesFlag)(&f.controllers.DefaultCredentialsNamespaces), "default-credentials-namespaces",
		"Comma-separated namespaces whose resources may use the operator's own credentials (an IoTProduct without credentialsSecretRef); "+
			"empty (the default) allows none, \"*\" allows every namespace. The operator's identity is the account of the whole cluster: "+
			"a namespace allowed here can adopt, and by deleting its resource delete, any product of that account.")
	fs.Float64Var(&f.kubeAPI.qps, "kube-api-qps", -1, "Client-side limit of the manager's requests per second to the Kubernetes API server; "+
		"0 or negative (the default, as in controller-runtime) means none, leaving it to the API server's priority and fairness.")
	fs.IntVar(&f.kubeAPI.burst, "kube-api-burst", 0, "Burst allowed above --kube-api-qps; 0 means twice --kube-api-qps.")
	fs.DurationVar(&f.controllers.SyncPeriod, "sync-period", 10*time.Minute, "How often a product that the platform can read back (IoT) is observed again, jittered by 10%; drift is corrected then.")
	fs.DurationVar(&f.controllers.SlowRetry, "stalled-retry-period", 5*time.Minute, "How often a failure that only a person can fix (credentials, permission, invalid spec) is tried again.")
	fs.IntVar(&f.controllers.MaxConcurrentReconciles, "max-concurrent-reconciles", 4, "Workers per kind.")
	fs.DurationVar(&f.controllers.RetryBaseDelay, "retry-base-delay", time.Second, "First delay of the exponential backoff after a retryable platform failure.")
	fs.DurationVar(&f.controllers.RetryMaxDelay, "retry-max-delay", 5*time.Minute, "Longest delay of the exponential backoff after a retryable platform failure.")
	controllers.BindPlatformFlags(fs, &f.platforms)
	f.log.BindFlags(fs)
	return f
}

// newLogger is the manager's logger: JSON lines unless --zap-devel or --zap-encoder say
// otherwise.
func newLogger(f *operatorFlags) logr.Logger {
	return zap.New(zap.UseFlagOptions(&f.log))
}

// newManager builds the manager with every controller, the objects metric and the health
// checks, ready to Start.
func newManager(cfg *rest.Config, f *operatorFlags) (ctrl.Manager, error) {
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme: scheme,
		// With --namespaces, every informer (the kinds, and the metadata of the Secrets and
		// ConfigMaps they read) lists and watches only those namespaces, which is what lets
		// the operator run with namespaced Roles. Secrets and ConfigMaps themselves are read
		// from the API server, never cached in full.
		Cache:                   controllers.CacheOptions(f.namespaces.cacheConfig()),
		Client:                  engine.ClientOptions(),
		Metrics:                 f.metrics.ServerOptions(),
		HealthProbeBindAddress:  f.probeAddr,
		PprofBindAddress:        f.pprofAddr,
		LeaderElection:          f.leaderElect,
		LeaderElectionID:        "product-lifecycle-operator.prodlife.dev",
		LeaderElectionNamespace: f.leaderElection.namespace,
		LeaseDuration:           &f.leaderElection.leaseDuration,
		RenewDeadline:           &f.leaderElection.renewDeadline,
		RetryPeriod:             &f.leaderElection.retryPeriod,
		// A leader that steps down exits at once, so a new one does not wait a lease out.
		LeaderElectionReleaseOnCancel: true,
	})
	if err != nil {
		return nil, fmt.Errorf("creating the manager: %w", err)
	}
	if err := controllers.SetupAll(mgr, f.controllers, f.platforms); err != nil {
		return nil, fmt.Errorf("setting up the controllers: %w", err)
	}
	// Counted from the cache at scrape time, so it sees exactly the watched namespaces.
	if err := mgr.Add(metrics.NewObjectsCollector(mgr.GetCache())); err != nil {
		return nil, fmt.Errorf("adding the objects metric: %w", err)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return nil, fmt.Errorf("adding the health check: %w", err)
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return nil, fmt.Errorf("adding the readiness check: %w", err)
	}
	return mgr, nil
}

// kubeAPIFlags are the client-side limits of the manager's requests to the API server.
type kubeAPIFlags struct {
	qps   float64
	burst int
}

// apply sets the limits on cfg: a status patch per object is a request, so a limit of a few
// tens per second (client-go's old 5, controller-runtime's old 20) would pace a bulk create
// or delete of thousands of objects far below what the platforms allow.
func (k kubeAPIFlags) apply(cfg *rest.Config) *rest.Config {
	if k.qps <= 0 {
		cfg.QPS, cfg.Burst = -1, 0
		return cfg
	}
	cfg.QPS, cfg.Burst = float32(k.qps), k.burst
	if cfg.Burst <= 0 {
		cfg.Burst = max(1, int(2*k.qps))
	}
	return cfg
}

// namespacesFlag reads a comma-separated list of namespace names; empty means all.
type namespacesFlag []string

func (n *namespacesFlag) String() string { return strings.Join(*n, ",") }

func (n *namespacesFlag) Set(value string) error {
	var names []string
	for _, name := range strings.Split(value, ",") {
		name = strings.TrimSpace(name)
		if name == "" || slices.Contains(names, name) {
			continue
		}
		if errs := validation.IsDNS1123Label(name); len(errs) > 0 {
			return fmt.Errorf("%q is not a namespace name: %s", name, strings.Join(errs, "; "))
		}
		names = append(names, name)
	}
	*n = names
	return nil
}

// cacheConfig is the cache's DefaultNamespaces: nil (every namespace) when none are named.
func (n namespacesFlag) cacheConfig() map[string]cache.Config {
	if len(n) == 0 {
		return nil
	}
	out := make(map[string]cache.Config, len(n))
	for _, name := range n {
		out[name] = cache.Config{}
	}
	return out
}

// ownCredentialsNamespacesFlag reads the namespaces allowed to use the operator's own
// credentials: namespace names, or "*" for every namespace.
type ownCredentialsNamespacesFlag []string

func (n *ownCredentialsNamespacesFlag) String() string { return strings.Join(*n, ",") }

func (n *ownCredentialsNamespacesFlag) Set(value string) error {
	if strings.TrimSpace(value) == engine.AllNamespaces {
		*n = []string{engine.AllNamespaces}
		return nil
	}
	return (*namespacesFlag)(n).Set(value)
}
