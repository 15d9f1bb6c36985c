package alibaba

import (
	"regexp"
	"testing"
)

// The fingerprint tells apart where calls look for products (account key, region, instance)
// without revealing the key, and ignores what says nothing about that (the secret).
func TestCredentialsFingerprint(t *testing.T) {
	set, err := NewClientSet(Options{Endpoint: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	fp := func(creds *Credentials, region, instance string) string {
		t.Helper()
		c, err := set.For(creds, region)
		if err != nil {
			t.Fatal(err)
		}
		return c.WithIotInstance(instance).CredentialsFingerprint()
	}
	a := &Credentials{AccessKeyID: "LTAI5tKeyA000001", AccessKeySecret: "secret-a-000001"}
	base := fp(a, "cn-shanghai", "")
	if !regexp.MustCompile(`^[0-9a-f]{8}$`).MatchString(base) {
		t.Fatalf("fingerprint %q, want 8 hex digits", base)
	}
	same := []struct {
		name string
		got  string
	}{
		{"again", fp(a, "cn-shanghai", "")},
		{"a rotated secret of the same key", fp(&Credentials{AccessKeyID: a.AccessKeyID, AccessKeySecret: "secret-a-000002"}, "cn-shanghai", "")},
	}
	for _, s := range same {
		if s.got != base {
			t.Errorf("%s: fingerprint %s, want %s", s.name, s.got, base)
		}
	}
	different := []struct {
		name string
		got  string
	}{
		{"another key", fp(&Credentials{AccessKeyID: "LTAI5tKeyB000001", AccessKeySecret: a.AccessKeySecret}, "cn-shanghai", "")},
		{"another region", fp(a, "cn-beijing", "")},
		{"another instance", fp(a, "cn-shanghai", "iot-cn-1")},
		{"the default chain", fp(nil, "cn-shanghai", "")},
		{"temporary credentials", fp(&Credentials{AccessKeyID: a.AccessKeyID, AccessKeySecret: a.AccessKeySecret, SecurityToken: "token-0000001"}, "cn-shanghai", "")},
	}
	for _, d := range different {
		if d.got == base {
			t.Errorf("%s: same fingerprint %s", d.name, base)
		}
	}
}
