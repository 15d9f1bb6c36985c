// Command manager runs the product-lifecycle-operator: the controllers that create, keep in
// line and delete Alibaba Cloud IoT products and Flipsnack product feeds.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	prodlifev1alpha1 "github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers"
	"github.com/prodlife/product-lifecycle-operator/internal/alibaba"
	"github.com/prodlife/product-lifecycle-operator/internal/flipsnack"
)

var scheme = runtime.NewScheme()

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(prodlifev1alpha1.AddToScheme(scheme))
}

func main() {
	var (
		metricsAddr   string
		probeAddr     string
		leaderElect   bool
		ctrlOpts      = controllers.Options{}
		alibabaOpts   = alibaba.Options{QPS: map[string]float64{}}
		flipsnackOpts = flipsnack.Options{}
	)
	// --kubeconfig is registered by controller-runtime itself.
	flag.StringVar(&metricsAddr, "metrics-bind-address", ":8080", "Address the Prometheus metrics endpoint binds to; 0 disables it.")
	flag.StringVar(&probeAddr, "health-probe-bind-address", ":8081", "Address the /healthz and /readyz probes bind to.")
	flag.BoolVar(&leaderElect, "leader-elect", false, "Elect a leader so that only one of several replicas reconciles at a time.")
	flag.DurationVar(&ctrlOpts.SyncPeriod, "sync-period", 10*time.Minute, "How often a product that the platform can read back (IoT) is observed again, jittered by 10%; drift is corrected then.")
	flag.DurationVar(&ctrlOpts.SlowRetry, "stalled-retry-period", 5*time.Minute, "How often a failure that only a person can fix (credentials, permission, invalid spec) is tried again.")
	flag.IntVar(&ctrlOpts.MaxConcurrentReconciles, "max-concurrent-reconciles", 4, "Workers per kind.")
	flag.DurationVar(&ctrlOpts.RetryBaseDelay, "retry-base-delay", time.Second, "First delay of the exponential backoff after a retryable platform failure.")
	flag.DurationVar(&ctrlOpts.RetryMaxDelay, "retry-max-delay", 5*time.Minute, "Longest delay of the exponential backoff after a retryable platform failure.")
	flag.StringVar(&alibabaOpts.Endpoint, "alibaba-endpoint", "", "URL of the Alibaba Cloud IoT API (default: the resource's region's https://iot.<region>.aliyuncs.com).")
	flag.StringVar(&alibabaOpts.DefaultRegion, "alibaba-default-region", "cn-shanghai", "Region used when a call names none.")
	flag.DurationVar(&alibabaOpts.Timeout, "alibaba-timeout", 10*time.Second, "Timeout of one Alibaba API call.")
	flag.StringVar(&flipsnackOpts.Endpoint, "flipsnack-endpoint", flipsnack.DefaultEndpoint, "URL of the Flipsnack API.")
	flag.IntVar(&flipsnackOpts.PerSecond, "flipsnack-rate-per-second", 5, "Client-side Flipsnack requests per second, per apiKey (the documented limit).")
	flag.IntVar(&flipsnackOpts.PerMinute, "flipsnack-rate-per-minute", 60, "Client-side Flipsnack requests per minute, per apiKey (the documented limit).")
	flag.Var(qpsFlag(alibabaOpts.QPS), "alibaba-qps", "Client-side QPS per Alibaba account and action, as Action=N pairs separated by commas (default: the documented limits, CreateProduct=50,QueryProduct=50,UpdateProduct=10,DeleteProduct=500,QueryProductList=50).")
	logOpts := zap.Options{Development: false}
	logOpts.BindFlags(flag.CommandLine)
	flag.Parse()

	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&logOpts)))
	setupLog := ctrl.Log.WithName("setup")

	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: metricsAddr},
		HealthProbeBindAddress: probeAddr,
		LeaderElection:         leaderElect,
		LeaderElectionID:       "product-lifecycle-operator.prodlife.dev",
		// A leader that steps down exits at once, so a new one does not wait a lease out.
		LeaderElectionReleaseOnCancel: true,
	})
	if err != nil {
		setupLog.Error(err, "unable to create the manager")
		os.Exit(1)
	}

	if err := setupControllers(mgr, ctrlOpts, alibabaOpts, flipsnackOpts); err != nil {
		setupLog.Error(err, "unable to set up the controllers")
		os.Exit(1)
	}

	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		setupLog.Error(err, "unable to set up the health check")
		os.Exit(1)
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		setupLog.Error(err, "unable to set up the readiness check")
		os.Exit(1)
	}

	setupLog.Info("starting the manager")
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		setupLog.Error(err, "the manager stopped with an error")
		os.Exit(1)
	}
}

func setupControllers(mgr ctrl.Manager, opts controllers.Options, alibabaOpts alibaba.Options, flipsnackOpts flipsnack.Options) error {
	if err := controllers.IndexCredentialsSecret(context.Background(), mgr); err != nil {
		return fmt.Errorf("indexing credentials Secrets: %w", err)
	}
	alibabaClients, err := alibaba.NewClientSet(alibabaOpts)
	if err != nil {
		return fmt.Errorf("alibaba client: %w", err)
	}
	if err := controllers.SetupIoTProductController(mgr, alibabaClients, opts); err != nil {
		return fmt.Errorf("IoTProduct controller: %w", err)
	}
	if err := controllers.SetupFlipsnackFeedController(mgr, flipsnack.NewClientSet(flipsnackOpts), opts); err != nil {
		return fmt.Errorf("FlipsnackFeed controller: %w", err)
	}
	if err := (&controllers.CredentialsReconciler{Client: mgr.GetClient()}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("credentials controller: %w", err)
	}
	return nil
}

// qpsFlag reads Action=N pairs into a map of per-action rate limits.
type qpsFlag map[string]float64

func (q qpsFlag) String() string {
	var parts []string
	for action, n := range q {
		parts = append(parts, fmt.Sprintf("%s=%g", action, n))
	}
	return strings.Join(parts, ",")
}

func (q qpsFlag) Set(value string) error {
	for _, pair := range strings.Split(value, ",") {
		action, n, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok {
			return fmt.Errorf("%q is not Action=N", pair)
		}
		qps, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return fmt.Errorf("%q: %w", pair, err)
		}
		q[action] = qps
	}
	return nil
}
