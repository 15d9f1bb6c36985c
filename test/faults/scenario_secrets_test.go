package faults

import (
	"testing"

	"github.com/prodlife/product-lifecycle-operator/internal/devenv"
)

// nothingSecretIsShown scans, after the scenarios, everything a user or a log collector sees:
// every log the environment wrote (the managers', the simulators', the control plane's),
// every event and every status the scenarios saw, for the credentials' secrets and for the
// signature of any request the managers sent.
func (s *suite) nothingSecretIsShown(t *testing.T) {
	secrets := []secret{
		{"Alibaba AccessKeySecret", devenv.DemoCredentials.AlibabaAccessKeySecret},
		{"Flipsnack apiSecret", devenv.DemoCredentials.FlipsnackAPISecret},
		// docs/operate.md ("Logs") promises the apiKey is never logged either: logs name the account by a hash.
		{"Flipsnack apiKey", devenv.DemoCredentials.FlipsnackAPIKey},
	}
	var signatures []string
	for platform, p := range map[string]*recordingProxy{"Alibaba": s.alibabaProxy, "Flipsnack": s.flipsnackProxy} {
		sigs := p.signatures.all()
		if len(sigs) == 0 {
			t.Fatalf("no request to %s was signed: the scan would find no signature whatever the logs hold", platform)
		}
		signatures = append(signatures, sigs...)
	}
	s.events(t) // the events still there
	sc := newScanner(secrets, signatures)

	found, err := sc.scanLogs(s.logDir)
	if err != nil {
		t.Fatal(err)
	}
	texts := 0
	s.shown.each(func(where, text string) {
		texts++
		found = append(found, sc.scan(where, text)...)
	})
	t.Logf("scanned the logs in %s and %d distinct statuses and events for %d secrets and %d signatures", s.logDir, texts, len(secrets), len(signatures))
	if len(found) > 0 {
		t.Errorf("secrets shown to users or log collectors:\n  %s", joinLines(abbreviateLines(found, 30)))
	}
}
