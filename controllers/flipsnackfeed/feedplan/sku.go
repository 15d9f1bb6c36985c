package feedplan

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// SKUProblem says why sku cannot be a SKU of a feed, or "" when it can. These are the rules
// the CRD enforces on spec.products[].code (CEL), applied here to SKUs read from ConfigMaps,
// which the API server does not check. A SKU is sent to the platform byte for byte, so a
// character that only Unicode tells apart (a no-break space, a line separator, a zero-width
// space) would make a SKU look like another; a comma would split it in products.delete; and
// a tab or newline would break the record of pushed products.
func SKUProblem(sku string) string {
	switch {
	case sku == "":
		return "it is empty"
	case !utf8.ValidString(sku):
		return "it is not valid UTF-8"
	case utf8.RuneCountInString(sku) > MaxSKULength:
		return fmt.Sprintf("it is longer than %d characters", MaxSKULength)
	}
	for i, r := range sku {
		if r == ',' {
			return fmt.Sprintf("it has a comma at byte %d, which would split it in products.delete", i)
		}
		if kind := invisibleKind(r); kind != "" {
			return fmt.Sprintf("it has %U (%s) at byte %d: a SKU may hold no space, control or invisible character", r, kind, i)
		}
	}
	return ""
}

// invisibleKind names the Unicode class of r when it is a space (Z) or a control, format,
// private-use or surrogate character (C), else "".
func invisibleKind(r rune) string {
	switch {
	case unicode.Is(unicode.Zs, r):
		return "a space"
	case unicode.Is(unicode.Zl, r):
		return "a line separator"
	case unicode.Is(unicode.Zp, r):
		return "a paragraph separator"
	case unicode.Is(unicode.Cc, r):
		return "a control character"
	case unicode.Is(unicode.Cf, r):
		return "an invisible format character"
	case unicode.Is(unicode.Co, r):
		return "a private-use character"
	case unicode.Is(unicode.Cs, r):
		return "a surrogate"
	}
	return ""
}
