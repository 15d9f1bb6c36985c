package flipsnackfeed

import (
	"crypto/sha256"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// The plan's inputs digest changes with each thing the plan depends on, so a remembered
// empty plan is never taken for another state of the feed.
func TestDigestInputsTellsEveryInputApart(t *testing.T) {
	feed := func(generation int64, pushed string) *v1alpha1.FlipsnackFeed {
		f := &v1alpha1.FlipsnackFeed{}
		f.Generation, f.Status.Pushed = generation, []byte(pushed)
		return f
	}
	a, b := sha256.Sum256([]byte("a")), sha256.Sum256([]byte("b"))
	base := digestInputs(feed(1, "rec"), "hash", pushed(feed(1, "rec")), [][sha256.Size]byte{a, b})
	if again := digestInputs(feed(1, "rec"), "hash", pushed(feed(1, "rec")), [][sha256.Size]byte{a, b}); again != base {
		t.Fatal("the same inputs digest differently")
	}
	for name, other := range map[string][sha256.Size]byte{
		"generation":     digestInputs(feed(2, "rec"), "hash", pushed(feed(2, "rec")), [][sha256.Size]byte{a, b}),
		"record":         digestInputs(feed(1, "rec2"), "hash", pushed(feed(1, "rec2")), [][sha256.Size]byte{a, b}),
		"sourceHash":     digestInputs(feed(1, "rec"), "hash2", pushed(feed(1, "rec")), [][sha256.Size]byte{a, b}),
		"a source":       digestInputs(feed(1, "rec"), "hash", pushed(feed(1, "rec")), [][sha256.Size]byte{a, a}),
		"sources' order": digestInputs(feed(1, "rec"), "hash", pushed(feed(1, "rec")), [][sha256.Size]byte{b, a}),
		"one source":     digestInputs(feed(1, "rec"), "hash", pushed(feed(1, "rec")), [][sha256.Size]byte{a}),
	} {
		if other == base {
			t.Errorf("a change of %s leaves the digest as it was", name)
		}
	}
}

func pushed(f *v1alpha1.FlipsnackFeed) [sha256.Size]byte { return sha256.Sum256(f.Status.Pushed) }
