package devenv

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	HandleReexec()
	if os.Getenv(ownerProcessEnv) != "" {
		runOwnerProcess(os.Getenv(ownerProcessEnv))
		return
	}
	os.Exit(m.Run())
}
