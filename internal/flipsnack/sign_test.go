package flipsnack

import "testing"

// The test vector of developers.flipsnack.com/how-to-sign-a-request.
func TestSignDocumentedVector(t *testing.T) {
	params := map[string]string{
		"action":         "collection.getCollection",
		"apiKey":         "45FD-267-7SG7832",
		"collectionHash": "fxh4k89",
	}
	const want = "26e781d3d1751d82ec284acf4a019def"
	if got := Sign("123ABCDE-456-7890-FGH", params); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	// A signature already among the parameters is left out of its own computation.
	params["signature"] = "anything"
	if got := Sign("123ABCDE-456-7890-FGH", params); got != want {
		t.Fatalf("Sign with a signature parameter = %s, want %s", got, want)
	}
}

// Byte order, not case-insensitive order: "Z" (0x5a) sorts before "a" (0x61).
func TestSignSortsByteOrder(t *testing.T) {
	params := map[string]string{"a": "1", "Z": "2", "_": "3"}
	if got, want := Sign("s", params), md5hex("sZ2_3a1"); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}
