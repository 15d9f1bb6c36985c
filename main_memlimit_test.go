package main

import (
	"runtime/debug"
	"testing"
)

// The Deployment passes the container's memory limit in bytes; the manager sets 90% of it as
// the runtime's soft limit, unless GOMEMLIMIT says otherwise, and refuses a value it cannot read.
func TestSoftMemoryLimitIsNinetyPercentOfTheContainersUnlessGOMEMLIMITIsSet(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	tests := []struct {
		env     map[string]string
		want    int64
		wantErr bool
	}{
		{env: map[string]string{}, want: 0},
		{env: map[string]string{memoryLimitEnv: "268435456"}, want: 241591910},
		{env: map[string]string{memoryLimitEnv: "268435456", "GOMEMLIMIT": "100MiB"}, want: 0},
		{env: map[string]string{memoryLimitEnv: "256Mi"}, wantErr: true},
		{env: map[string]string{memoryLimitEnv: "0"}, wantErr: true},
	}
	for _, tt := range tests {
		debug.SetMemoryLimit(1 << 40)
		got, err := setMemoryLimit(func(k string) string { return tt.env[k] })
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%v: setMemoryLimit = %d, %v; want %d, error %v", tt.env, got, err, tt.want, tt.wantErr)
		}
		set := debug.SetMemoryLimit(-1)
		if tt.want > 0 && set != tt.want {
			t.Errorf("%v: the runtime's limit is %d, want %d", tt.env, set, tt.want)
		}
		if tt.want == 0 && set != 1<<40 {
			t.Errorf("%v: the runtime's limit changed to %d", tt.env, set)
		}
	}
}

// Without GOGC the collector runs at defaultGCPercent; a GOGC of the environment wins.
func TestGCPercentIsTheManagersUnlessGOGCIsSet(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	if got := setGCPercent(func(string) string { return "" }); got != defaultGCPercent {
		t.Errorf("without GOGC: set %d, want %d", got, defaultGCPercent)
	}
	if set := debug.SetGCPercent(100); set != defaultGCPercent {
		t.Errorf("the runtime's GOGC is %d, want %d", set, defaultGCPercent)
	}
	env := map[string]string{"GOGC": "200"}
	if got := setGCPercent(func(k string) string { return env[k] }); got != 0 {
		t.Errorf("with GOGC=200: set %d, want none", got)
	}
	if set := debug.SetGCPercent(100); set != 100 {
		t.Errorf("with GOGC in the environment the runtime's GOGC changed to %d", set)
	}
}
