// Command kubectl-prodlife is the operator's kubectl plugin, run as `kubectl prodlife` once
// it is on the PATH (`make build` writes it to bin/):
//
//	kubectl prodlife import iot --region R       manifests that adopt every product of an account
//	kubectl prodlife import flipsnack --source-hash H --from FILE
//	                                              a feed that adopts an existing feed
//	kubectl prodlife status KIND/NAME             conditions, events and, for a deletion that
//	                                              waits, why and the commands that get it out
//
// docs/operate.md, "Day-2 operations", says when to use each.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// run runs the plugin with args, writing what a pipe or a file takes (manifests, the status
// screen) to out and warnings to errOut.
func run(ctx context.Context, args []string, out, errOut io.Writer) error {
	root := &cobra.Command{
		Use:   "kubectl-prodlife",
		Short: "Import existing products and read one resource's story (product-lifecycle-operator)",
		// main prints the error once, as one line; a mistake does not ask for the usage.
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	imp := &cobra.Command{Use: "import", Short: "Print manifests that adopt what already exists on a platform"}
	imp.AddCommand(newImportIoTCommand(), newImportFlipsnackCommand())
	root.AddCommand(imp, newStatusCommand())
	root.SetArgs(args)
	root.SetOut(out)
	root.SetErr(errOut)
	return root.ExecuteContext(ctx)
}
