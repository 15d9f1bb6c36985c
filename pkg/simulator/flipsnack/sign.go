package flipsnack

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"sort"
	"strings"
)

// signature is the documented Flipsnack signature: lowercase hex MD5 of the secret followed by
// every parameter name and value but "signature", sorted by name in byte order.
func signature(secret string, params map[string]string) string {
	names := make([]string, 0, len(params))
	for n := range params {
		if n != "signature" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(secret)
	for _, n := range names {
		b.WriteString(n)
		b.WriteString(params[n])
	}
	sum := md5.Sum([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// validSignature compares in constant time; hex case is not significant.
func validSignature(secret string, params map[string]string) bool {
	want := signature(secret, params)
	got := strings.ToLower(params["signature"])
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}
