package alibabaiot

import (
	"fmt"
	"math/rand/v2"
)

// newRequestID returns a RequestId shaped like the platform's: an upper-case UUID.
func newRequestID() string {
	a, b := rand.Uint64(), rand.Uint64()
	// Version 4, variant 10, as a random UUID has.
	a = a&^0xf000 | 0x4000
	b = b&^(0xc<<60) | 0x8<<60
	return fmt.Sprintf("%08X-%04X-%04X-%04X-%012X", a>>32, a>>16&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
}

const alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func randomString(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphanumerics[rand.IntN(len(alphanumerics))]
	}
	return string(b)
}

// newProductKey returns an 11-character ProductKey like the platform's ("a1" and 9 letters or
// digits).
func newProductKey() string { return "a1" + randomString(9) }

// newProductSecret returns a 16-character ProductSecret.
func newProductSecret() string { return randomString(16) }

// chance reports true with probability p (0 never, 1 always).
func chance(p float64) bool {
	return p > 0 && (p >= 1 || rand.Float64() < p)
}
