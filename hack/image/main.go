// Command image builds the operator's container image with no container engine: an OCI image
// index (one image per platform) on an empty base, from the static manager binaries that
// `make image` builds. It writes an OCI archive (--out), or pushes to a registry (--push), and
// prints the index's digest. The same binaries and --created give the same digest.
package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("image", flag.ContinueOnError)
	var (
		binaries = map[string]string{}
		labels   = map[string]string{}
		ref      = fs.String("name", "product-lifecycle-operator:dev", "The image's name and tag.")
		out      = fs.String("out", "", "Write an OCI archive (a tar of an OCI image layout) to this file.")
		push     = fs.Bool("push", false, "Push the image index to the registry --name names (credentials from the Docker config).")
		created  = fs.String("created", "1970-01-01T00:00:00Z", "The image's creation time, RFC 3339: the commit's, for one digest per commit.")
	)
	fs.Func("binary", "PLATFORM=FILE, e.g. linux/amd64=bin/image/manager-linux-amd64; repeat for each platform.", pair(binaries))
	fs.Func("label", "KEY=VALUE, an OCI label of the image; repeatable.", pair(labels))
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(binaries) == 0 || (*out == "") == !*push {
		return fmt.Errorf("give at least one --binary, and either --out or --push")
	}
	when, err := time.Parse(time.RFC3339, *created)
	if err != nil {
		return fmt.Errorf("--created: %w", err)
	}
	tag, err := name.NewTag(*ref)
	if err != nil {
		return fmt.Errorf("--name: %w", err)
	}
	idx, err := Build(Options{Binaries: binaries, Created: when.UTC(), Labels: labels})
	if err != nil {
		return err
	}
	digest, err := idx.Digest()
	if err != nil {
		return err
	}
	if *push {
		if err := remote.WriteIndex(tag, idx, remote.WithAuthFromKeychain(authn.DefaultKeychain)); err != nil {
			return err
		}
		fmt.Printf("pushed %s@%s\n", tag.Name(), digest)
		return nil
	}
	if err := WriteArchive(idx, tag, *out, when.UTC()); err != nil {
		return err
	}
	fmt.Printf("wrote %s: %s@%s (%s)\n", *out, tag.Name(), digest, strings.Join(sortedKeys(binaries), ", "))
	return nil
}

// pair parses KEY=VALUE into m.
func pair(m map[string]string) func(string) error {
	return func(s string) error {
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			return fmt.Errorf("%q is not KEY=VALUE", s)
		}
		m[k] = v
		return nil
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
