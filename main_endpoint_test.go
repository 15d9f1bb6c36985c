package main

import (
	"flag"
	"strings"
	"testing"

	"k8s.io/client-go/rest"
)

// An endpoint flag naming plain http to a host that is not loopback stops the manager at
// start-up with an error naming the flag, before it reaches the cluster (the config below
// points nowhere). Loopback http, where the simulators listen, and https start.
func TestPlainHTTPEndpointOffLoopbackStopsTheStart(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--alibaba-endpoint=http://iot.cn-shanghai.aliyuncs.com"}, "--alibaba-endpoint"},
		{[]string{"--flipsnack-endpoint=http://api.flipsnack.com/v1/"}, "--flipsnack-endpoint"},
		{[]string{"--alibaba-endpoint=http://127.0.0.1:18080", "--flipsnack-endpoint=http://localhost:18081/v1/"}, ""},
		{[]string{"--alibaba-endpoint=https://iot.cn-shanghai.aliyuncs.com", "--flipsnack-endpoint=https://api.flipsnack.com/v1/"}, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			fs := flag.NewFlagSet("manager", flag.ContinueOnError)
			flags := bindFlags(fs)
			must(t, fs.Parse(append([]string{"--metrics-bind-address=0", "--health-probe-bind-address=0"}, tt.args...)))
			_, err := newManager(&rest.Config{Host: "https://127.0.0.1:1"}, flags)
			if tt.wantErr == "" {
				if err != nil && strings.Contains(err.Error(), "endpoint") {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "use https") {
				t.Fatalf("newManager: %v; want an error naming %s and saying to use https", err, tt.wantErr)
			}
		})
	}
}
