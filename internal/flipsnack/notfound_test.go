package flipsnack_test

import (
	"context"
	"flag"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
	"github.com/prodlife/product-lifecycle-operator/internal/flipsnack"
	sim "github.com/prodlife/product-lifecycle-operator/pkg/simulator/flipsnack"
)

// A code-40 answer to products.delete counts as "already gone" only when its text matches one
// of the configured messages; any other text is an error, never a deletion done.
func TestNotFoundMessagesDecideWhatCountsAsGone(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		messages []string // nil: the defaults
		status   string   // the platform's code-40 status
		gone     bool
	}{
		{"the simulator's wording, default list", nil, "Source not found", true},
		{"an unknown wording, default list", nil, "Catalogue vanished", false},
		{"the same wording, configured", []string{"catalogue vanished"}, "Catalogue vanished", true},
		{"the simulator's wording, no longer configured", []string{"catalogue vanished"}, "Source not found", false},
		{"an empty list", []string{}, "Source not found", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, set := newSim(t, sim.Options{PerSecond: sim.Unlimited, PerMinute: sim.Unlimited},
				flipsnack.Options{PerSecond: flipsnack.Unlimited, PerMinute: flipsnack.Unlimited, NotFoundMessages: tc.messages})
			if err := s.SetFaults(map[string]sim.Fault{"products.delete": {ErrorRate: 1, Code: "40", Status: tc.status}}); err != nil {
				t.Fatal(err)
			}
			var reported []string
			res, err := set.For(apiKey, apiSecret).DeleteProducts(ctx, "feed", []string{"A"}, func(d []string) error { reported = d; return nil })
			if tc.gone {
				if err != nil || res.Gone != 1 || !slices.Equal(reported, []string{"A"}) {
					t.Fatalf("got %+v, %v, reported %v; want A counted as gone", res, err, reported)
				}
				return
			}
			if err == nil || apierr.Is(err, apierr.NotFound) || len(reported) != 0 || res.Gone != 0 {
				t.Fatalf("got %+v, %v, reported %v; want an error that is not NotFound, nothing counted as deleted", res, err, reported)
			}
			if !strings.Contains(err.Error(), tc.status) {
				t.Fatalf("error %q does not carry the platform's answer %q", err, tc.status)
			}
		})
	}
}

func TestMessageListFlag(t *testing.T) {
	for args, want := range map[string][]string{
		"":                         nil,
		"--m= Gone ,,no such feed": {"Gone", "no such feed"},
		"--m=":                     {},
	} {
		var m []string
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.Var((*flipsnack.MessageList)(&m), "m", "")
		var argv []string
		if args != "" {
			argv = []string{args}
		}
		if err := fs.Parse(argv); err != nil || !slices.Equal(m, want) || (want != nil) != (m != nil) {
			t.Errorf("%q: got %#v, %v; want %#v", args, m, err, want)
		}
	}
}
