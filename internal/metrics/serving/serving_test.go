package serving

import (
	"flag"
	"testing"
)

// Plain HTTP takes an explicit --metrics-secure=false; without it the endpoint is HTTPS
// behind the authentication and authorization filter of access.go.
func TestSecureUnlessExplicitlySwitchedOff(t *testing.T) {
	for _, tt := range []struct {
		args       []string
		wantSecure bool
	}{
		{nil, true},
		{[]string{"--metrics-secure"}, true},
		{[]string{"--metrics-secure=false"}, false},
	} {
		var f Flags
		fs := flag.NewFlagSet("manager", flag.ContinueOnError)
		f.Bind(fs)
		if err := fs.Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		opts := f.ServerOptions()
		if opts.SecureServing != tt.wantSecure || (opts.FilterProvider != nil) != tt.wantSecure {
			t.Errorf("%v: SecureServing %v, filter %v; want both %v", tt.args, opts.SecureServing, opts.FilterProvider != nil, tt.wantSecure)
		}
		if opts.BindAddress != ":8443" {
			t.Errorf("%v: bind address %q, want :8443", tt.args, opts.BindAddress)
		}
	}
}
