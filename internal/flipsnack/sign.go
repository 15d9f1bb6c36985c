package flipsnack

import (
	"crypto/md5"
	"encoding/hex"
	"sort"
	"strings"
)

// Sign computes a Flipsnack request signature as documented
// (developers.flipsnack.com/how-to-sign-a-request): sort the parameters by name in byte order,
// leave out "signature" itself, concatenate the API secret followed by every name and value with
// no separators, and take the lowercase hex MD5 of the result.
//
// The values must be exactly the ones sent on the wire: the JSON text of "products", the
// comma-joined list of "productsSKU". A value that is re-encoded after signing (a different
// key order, different spacing) no longer matches and the platform answers 44.
func Sign(secret string, params map[string]string) string {
	names := make([]string, 0, len(params))
	for name := range params {
		if name == "signature" {
			continue
		}
		names = append(names, name)
	}
	// sort.Strings compares Go strings bytewise, which is the documented byte order.
	sort.Strings(names)

	var b strings.Builder
	b.WriteString(secret)
	for _, name := range names {
		b.WriteString(name)
		b.WriteString(params[name])
	}
	sum := md5.Sum([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}
