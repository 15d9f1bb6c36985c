// Command dev runs the whole system on this machine, on loopback only and with no cluster or
// cloud account: a local control plane with the CRDs, both API simulators, the demo
// credentials Secrets, the manager and the samples (`make dev` builds and runs it). Ctrl-C
// stops everything. Flags after "--" go to the manager.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/prodlife/product-lifecycle-operator/internal/devenv"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

func main() {
	testenv.HandleReexec()

	opts := devenv.Options{Credentials: devenv.DemoCredentials}
	var samples, namespace string
	flag.StringVar(&opts.StateDir, "state-dir", "bin/dev", "Directory of the environment's kubeconfig, data and logs; what a previous run left there is removed at start.")
	flag.StringVar(&opts.AssetsDir, "assets", os.Getenv("KUBEBUILDER_ASSETS"), "Directory of etcd, kube-apiserver and kube-controller-manager (`make envtest` builds them).")
	flag.StringVar(&opts.ManagerBinary, "manager", "bin/manager", "The manager binary (`make build` builds it).")
	flag.StringVar(&opts.CRDDir, "crd-dir", "config/crd/bases", "Directory of the CRDs to install.")
	flag.StringVar(&samples, "samples", "config/samples", "Kustomization directory whose files are applied once everything runs; empty applies nothing.")
	flag.StringVar(&namespace, "namespace", "default", "Namespace of the credentials Secrets and the samples.")
	flag.StringVar(&opts.APIServerAddr, "apiserver-addr", devenv.DefaultAPIServerAddr, "Loopback address of the kube-apiserver.")
	flag.StringVar(&opts.AlibabaAddr, "alibaba-addr", devenv.DefaultAlibabaAddr, "Loopback address of the simulated Alibaba Cloud IoT API.")
	flag.StringVar(&opts.FlipsnackAddr, "flipsnack-addr", devenv.DefaultFlipsnackAddr, "Loopback address of the simulated Flipsnack API (served at /v1/).")
	flag.StringVar(&opts.MetricsAddr, "metrics-addr", devenv.DefaultMetricsAddr, "Loopback address of the manager's metrics.")
	flag.StringVar(&opts.ProbeAddr, "probe-addr", devenv.DefaultProbeAddr, "Loopback address of the manager's health probes.")
	flag.BoolVar(&opts.AsInstalled, "as-installed", true, "Install the operator's ServiceAccount, RBAC and admission policies as config/default renders them, and run the manager as that ServiceAccount; false runs it as a cluster admin.")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "Usage: %s [flags] [-- manager flags]\n", filepath.Base(os.Args[0]))
		flag.PrintDefaults()
	}
	flag.Parse()
	opts.ManagerArgs = flag.Args()

	// The first Ctrl-C stops everything in order. Its default is then restored, so a second
	// one ends this program at once, and the parent-death signal takes the rest down with it.
	ctx, restoreSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		restoreSignals()
	}()
	if err := run(ctx, opts, samples, namespace); err != nil {
		fmt.Fprintln(os.Stderr, "dev:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, opts devenv.Options, samples, namespace string) (err error) {
	fmt.Println("Starting the control plane, the API simulators and the manager (logs in " + opts.LogDir() + ") ...")
	started := time.Now()
	env, err := devenv.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer func() {
		fmt.Println("\nStopping everything ...")
		if stopErr := env.Stop(); stopErr != nil && err == nil {
			err = stopErr
		}
		if err == nil {
			fmt.Println("Stopped.")
		}
	}()

	if err := env.CreateCredentials(ctx, namespace); err != nil {
		return err
	}
	var applied []string
	if samples != "" {
		if applied, err = env.ApplySamples(ctx, samples, namespace); err != nil {
			return err
		}
	}
	printGuide(env, opts, namespace, applied, time.Since(started))

	// Watch the processes: one that dies on its own must not leave a half-working
	// environment that looks healthy.
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			if err := env.Exited(); err != nil {
				return err
			}
		}
	}
}
