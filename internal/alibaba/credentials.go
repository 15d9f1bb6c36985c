package alibaba

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
)

// Credentials are an AccessKey pair, with a SecurityToken when they are STS credentials.
// A nil pointer or the zero value means the default credential chain of credentials-go:
// environment variables, RRSA (OIDC role, as ACK injects it), CLI profile, ECS RAM role and
// credentials URI.
type Credentials struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
}

// defaultChainAccount is the rate-limit account of every client on the default chain: which
// account the chain resolves to is only known at call time, and may change.
const defaultChainAccount = "default-chain"

func (c *Credentials) isDefaultChain() bool { return c == nil || *c == (Credentials{}) }

// validate rejects half-filled credentials, which would otherwise fall through to confusing
// signature errors.
func (c *Credentials) validate() error {
	if c.isDefaultChain() {
		return nil
	}
	if c.AccessKeyID == "" || c.AccessKeySecret == "" {
		return fmt.Errorf("credentials need both an AccessKeyID and an AccessKeySecret")
	}
	return nil
}

// account names the account in what the client says: the AccessKeyID, or the default chain.
func (c *Credentials) account() string {
	if c.isDefaultChain() {
		return defaultChainAccount
	}
	return c.AccessKeyID
}

// budget is the key rate limits are shared under: the pair of AccessKeyID and secret (as a
// digest: neither is kept), or the default chain. Every client of the same credentials
// shares one budget; a request sent with someone else's AccessKeyId and a wrong secret
// spends from a budget of its own, never from theirs.
func (c *Credentials) budget() string {
	if c.isDefaultChain() {
		return defaultChainAccount
	}
	sum := sha256.Sum256([]byte(c.AccessKeyID + "\x00" + c.AccessKeySecret))
	return hex.EncodeToString(sum[:])
}

// stsIdentity stands for every set of temporary (STS) credentials in CredentialsFingerprint:
// their AccessKeyId changes with each token, so it says nothing stable about who they are.
const stsIdentity = "sts"

// identity is what CredentialsFingerprint says the credentials are: the AccessKeyId of a
// long-term key, or the kind of credentials whose key is not stable.
func (c *Credentials) identity() string {
	switch {
	case c.isDefaultChain():
		return defaultChainAccount
	case c.SecurityToken != "":
		return stsIdentity
	}
	return c.AccessKeyID
}

// fingerprint identifies the credentials without revealing them: an HMAC under a key that
// lives only in this process, so it can be neither reversed nor compared across processes.
func (c *Credentials) fingerprint(key []byte) string {
	if c.isDefaultChain() {
		return defaultChainAccount
	}
	mac := hmac.New(sha256.New, key)
	for _, part := range []string{c.AccessKeyID, c.AccessKeySecret, c.SecurityToken} {
		mac.Write([]byte(part))
		mac.Write([]byte{0})
	}
	return hex.EncodeToString(mac.Sum(nil)[:16])
}

// secrets lists what must never be printed.
func (c *Credentials) secrets() []string {
	if c.isDefaultChain() {
		return nil
	}
	return []string{c.AccessKeySecret, c.SecurityToken}
}

// String keeps the secret and the token out of every %v, %+v and %s.
func (c Credentials) String() string {
	if c.isDefaultChain() {
		return "Credentials{default chain}"
	}
	s := "Credentials{AccessKeyID: " + c.AccessKeyID + ", AccessKeySecret: <redacted>"
	if c.SecurityToken != "" {
		s += ", SecurityToken: <redacted>"
	}
	return s + "}"
}

// GoString keeps the secret out of %#v.
func (c Credentials) GoString() string { return c.String() }

// LogValue keeps the secret out of structured logs.
func (c Credentials) LogValue() slog.Value { return slog.StringValue(c.String()) }

// minRedactable is the shortest secret redact replaces: replacing a one-letter "secret"
// everywhere would garble messages without protecting anything.
const minRedactable = 6

// redact replaces every occurrence of each secret in s.
func redact(s string, secrets []string) string {
	for _, secret := range secrets {
		if len(secret) >= minRedactable {
			s = strings.ReplaceAll(s, secret, "<redacted>")
		}
	}
	return s
}
