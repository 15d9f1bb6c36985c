package faults

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/prodlife/product-lifecycle-operator/internal/devenv"
	"github.com/prodlife/product-lifecycle-operator/internal/devenv/devenvtest"
)

// alibabaTimeout is the manager's --alibaba-timeout: short, so that injected latency can
// outlast it and the platform acts on a call whose answer the manager never gets.
const alibabaTimeout = time.Second

// flipsnackTimeout is the manager's --flipsnack-timeout, short for the same reason: a feed
// call slower than it is acted on by the platform and its answer lost.
const flipsnackTimeout = 2 * time.Second

// managerArgs: short retry periods, so that every failure is tried again within the test.
// retryMaxDelay is the manager's largest backoff (--retry-max-delay).
const retryMaxDelay = 2 * time.Second

var managerArgs = []string{
	"--stalled-retry-period=2s",
	"--retry-base-delay=100ms",
	"--retry-max-delay=" + retryMaxDelay.String(),
	"--alibaba-timeout=" + alibabaTimeout.String(),
	"--flipsnack-timeout=" + flipsnackTimeout.String(),
}

// suite is what the scenarios share: one environment, its platforms, and what users saw.
type suite struct {
	env  *devenv.Env
	kube client.Client
	// watched holds the scenarios' objects from a watch, for the waits' looks (watch_test.go);
	// stopWatching ends it.
	watched      cache.Cache
	stopWatching func()
	alibaba      devenvtest.Alibaba
	flipsnack    devenvtest.Flipsnack
	scale        scale
	seed         uint64
	logDir       string
	// The managers reach the platforms through these, which record every signature sent.
	alibabaProxy, flipsnackProxy *recordingProxy
	// shown is what the scenarios saw of statuses and events, for the scan.
	shown *exposure
	// replicas, while a scenario runs leader-elected managers, starts again those that end
	// on their own before each look (replicas_test.go).
	replicas *replicas
}

func (s *suite) Environment() *devenv.Env { return s.env }

var shared = devenvtest.Shared[*suite]{Name: "faults", Start: start, BeforeStop: beforeStop, AfterStop: afterStop}

func TestMain(m *testing.M) {
	// The test process's own Kubernetes client logs nothing worth reading here.
	logf.SetLogger(logr.Discard())
	shared.Main(m)
}

// environment returns the running suite, starting it for the first test that needs it.
func environment(t *testing.T) *suite { return shared.Get(t) }

func start(workDir string) (*suite, error) {
	sc, err := scaleFromEnv()
	if err != nil {
		return nil, err
	}
	seed, err := seedFromEnv()
	if err != nil {
		return nil, err
	}
	s := &suite{scale: sc, seed: seed, shown: &exposure{}, logDir: filepath.Join(devenvtest.StateDir(workDir), "logs"),
		alibabaProxy: newRecordingProxy(), flipsnackProxy: newRecordingProxy()}
	args := append(append([]string{}, managerArgs...),
		"--alibaba-endpoint="+s.alibabaProxy.URL,
		"--flipsnack-endpoint="+s.flipsnackProxy.URL+"/v1/")
	if s.env, err = devenvtest.StartAsInstalled(workDir, args); err != nil {
		s.closeProxies()
		return nil, err
	}
	// No object exists yet, so the manager has made no call the proxies could not forward.
	s.alibabaProxy.forwardTo(s.env.AlibabaURL)
	s.flipsnackProxy.forwardTo(s.env.FlipsnackURL)
	s.kube = s.env.Client
	if s.watched, s.stopWatching, err = watchScenarios(s.env.Config, s.kube); err != nil {
		s.closeProxies()
		_ = s.env.Stop() // the watch's failure is the one to report
		return nil, err
	}
	s.alibaba = devenvtest.Alibaba{URL: s.env.AlibabaURL}
	s.flipsnack = devenvtest.Flipsnack{URL: s.env.FlipsnackURL}
	return s, nil
}

func beforeStop(s *suite) { s.stopWatching() }

func afterStop(s *suite, failed bool) {
	s.closeProxies()
	if failed {
		fmt.Fprintf(os.Stderr, "faults: scale %s, seed %d (FAULT_SUITE_SEED=%d replays its choices)\n", s.scale.name, s.seed, s.seed)
	}
}

func (s *suite) closeProxies() {
	s.alibabaProxy.Close()
	s.flipsnackProxy.Close()
}

// rand returns a source of random choices for one purpose, drawn from the suite's seed: a
// purpose's choices stay the same for a seed whatever other purposes draw.
func (s *suite) rand(purpose string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(purpose))
	return rand.New(rand.NewPCG(s.seed, h.Sum64()))
}
