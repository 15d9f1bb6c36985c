package controllers

import (
	"flag"
	"fmt"
	"io"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
	"github.com/prodlife/product-lifecycle-operator/controllers/flipsnackfeed"
	"github.com/prodlife/product-lifecycle-operator/controllers/iotproduct"
	"github.com/prodlife/product-lifecycle-operator/internal/alibaba"
	"github.com/prodlife/product-lifecycle-operator/internal/flipsnack"
)

// Platform is one external platform as the operator runs it. Platforms lists every one:
// SetupAll, the manager's cache (CacheOptions) and the tests that check what must name every
// kind (the YAML of config/ and the chart, the alerts and the dashboard) read it, so a new
// platform is its entry here beside its own packages and API types.
type Platform struct {
	// Name is the platform as its users call it.
	Name string
	// Kinds are the kinds whose products live on the platform.
	Kinds []Kind
	// ThrottleCodes are regular expressions of the codes (as the code label of
	// prodlife_external_requests_total has them) by which the platform says it throttles the
	// operator: the throttling alert (config/prometheus/rules.yaml) selects them.
	ThrottleCodes []string
	// BindFlags registers the platform's client settings on the operator's command line
	// (its part of PlatformOptions), defaults included.
	BindFlags func(*flag.FlagSet, *PlatformOptions)
	// NewSetup makes the platform's clients from its options, refusing an endpoint they
	// cannot use before anything reaches the cluster, and returns what registers the
	// platform's controllers in a manager.
	NewSetup func(PlatformOptions) (func(ctrl.Manager, engine.Options) error, error)
}

// Kind is what the operator's shared parts need of one kind beyond v1alpha1.Kinds.
type Kind struct {
	// Name is the kind's name in v1alpha1.Kinds.
	Name string
	// Controller names the kind's controller: the controller label of controller-runtime's
	// metrics, which the alerts (config/prometheus) and the dashboard (config/grafana) select.
	Controller string
	// ShareStrings makes an object of the kind on its way into the cache share the strings it
	// has in common with the others; it leaves objects of other kinds alone.
	ShareStrings func(obj any)
}

// PlatformOptions are the platforms' client settings (the operator's flags).
type PlatformOptions struct {
	Alibaba   alibaba.Options
	Flipsnack flipsnack.Options
}

// Platforms are every platform the operator manages products on.
var Platforms = []Platform{
	{
		Name:          "Alibaba Cloud IoT Platform",
		Kinds:         []Kind{{Name: "IoTProduct", Controller: iotproduct.ControllerName, ShareStrings: iotproduct.ShareStrings}},
		ThrottleCodes: []string{"Throttling", `Throttling\..+`},
		BindFlags:     func(fs *flag.FlagSet, o *PlatformOptions) { iotproduct.BindFlags(fs, &o.Alibaba) },
		NewSetup: func(o PlatformOptions) (func(ctrl.Manager, engine.Options) error, error) {
			// The controller's workers never queue behind an account's budget (NoWait).
			options := o.Alibaba
			options.NoWait = true
			clients, err := alibaba.NewClientSet(options)
			if err != nil {
				return nil, fmt.Errorf("--alibaba-endpoint: %w", err)
			}
			return func(mgr ctrl.Manager, opts engine.Options) error {
				if err := iotproduct.SetupIoTProductController(mgr, clients, opts); err != nil {
					return fmt.Errorf("IoTProduct controller: %w", err)
				}
				return nil
			}, nil
		},
	},
	{
		Name:          "Flipsnack",
		Kinds:         []Kind{{Name: "FlipsnackFeed", Controller: flipsnackfeed.ControllerName, ShareStrings: flipsnackfeed.ShareStrings}},
		ThrottleCodes: []string{flipsnack.CodePerSecondLimit, flipsnack.CodePerMinuteLimit},
		BindFlags:     func(fs *flag.FlagSet, o *PlatformOptions) { flipsnackfeed.BindFlags(fs, &o.Flipsnack) },
		NewSetup: func(o PlatformOptions) (func(ctrl.Manager, engine.Options) error, error) {
			if err := o.Flipsnack.Validate(); err != nil {
				return nil, fmt.Errorf("--flipsnack-endpoint: %w", err)
			}
			return func(mgr ctrl.Manager, opts engine.Options) error {
				// The controller's workers never wait for an apiKey's budget: a spent one
				// requeues its feed until the budget refills (flipsnack.Options.NoWait).
				clients := o.Flipsnack
				clients.NoWait = true
				if err := flipsnackfeed.SetupFlipsnackFeedController(mgr, flipsnack.NewClientSet(clients), opts); err != nil {
					return fmt.Errorf("FlipsnackFeed controller: %w", err)
				}
				return nil
			}, nil
		},
	},
}

// BindPlatformFlags registers every platform's client settings on fs, writing into o: the
// command (main.go) names no platform.
func BindPlatformFlags(fs *flag.FlagSet, o *PlatformOptions) {
	for _, p := range Platforms {
		p.BindFlags(fs, o)
	}
}

// ParsePlatformFlags are the platforms' settings a manager given args on its command line
// would run with: the flags' defaults where args name none. An operator run in a test's
// process takes its platforms' settings from the same flags as the manager binary
// (internal/testenv's Simulators.ManagerArgs), so a new platform reaches it with no change
// there; a test sets beside them only what no flag holds.
func ParsePlatformFlags(args []string) (PlatformOptions, error) {
	var o PlatformOptions
	fs := flag.NewFlagSet("platforms", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	BindPlatformFlags(fs, &o)
	if err := fs.Parse(args); err != nil {
		return PlatformOptions{}, err
	}
	if fs.NArg() > 0 {
		return PlatformOptions{}, fmt.Errorf("not a flag: %q", fs.Arg(0))
	}
	return o, nil
}

// shareStrings makes a cached object of any kind share its common strings.
func shareStrings(obj any) {
	for _, p := range Platforms {
		for _, k := range p.Kinds {
			k.ShareStrings(obj)
		}
	}
}
