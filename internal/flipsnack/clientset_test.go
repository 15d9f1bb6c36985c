package flipsnack

import (
	"strings"
	"testing"
)

// --flipsnack-endpoint takes https anywhere, but plain http only to a loopback host, where the
// simulator listens: anywhere else the apiKey and the signatures would cross the network in
// the clear.
func TestValidateRefusesPlainHTTPOffLoopback(t *testing.T) {
	tests := []struct {
		endpoint string
		ok       bool
	}{
		{"", true}, // the default, https://api.flipsnack.com/v1/
		{"https://api.flipsnack.com/v1/", true},
		{"https://proxy.example.com:8443/flipsnack/v1/", true},
		{"http://127.0.0.1:18081/v1/", true},
		{"http://127.1.2.3:18081/v1/", true},
		{"http://localhost:18081/v1/", true},
		{"http://[::1]:18081/v1/", true},
		{"http://api.flipsnack.com/v1/", false},
		{"http://10.1.2.3:18081/v1/", false},
		{"http://0.0.0.0:18081/v1/", false},
		{"http://[fe80::1]:18081/v1/", false},
		{"ftp://127.0.0.1/v1/", false},
		{"api.flipsnack.com/v1/", false}, // no scheme: no host either
		{"http://%zz", false},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint, func(t *testing.T) {
			err := Options{Endpoint: tt.endpoint}.Validate()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate(%q) = %v, want ok %v", tt.endpoint, err, tt.ok)
			}
			if err != nil && strings.HasPrefix(tt.endpoint, "http://") && !strings.HasPrefix(tt.endpoint, "http://%") && !strings.Contains(err.Error(), "use https") {
				t.Errorf("the error does not say what to do: %v", err)
			}
		})
	}
}
