package flipsnackfeed

import (
	"context"
	"crypto/sha256"
	"fmt"

	"golang.org/x/sync/singleflight"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/lru"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/flipsnackfeed/feedplan"
)

// sources knows, for every productsFrom value a feed read, the digest of its content at the
// ConfigMap's resourceVersion, shared by every feed. A ConfigMap whose metadata alone changed
// (a label, an annotation: its tenant's to write, as often as she likes) has a new
// resourceVersion and the same content: it is read once, by whichever feed comes first,
// hashed, found the same, and no feed parses it again (see upToDate). Feeds whose ConfigMap
// did not change do not read it at all. Only digests are kept, a few dozen bytes each.
type sources struct {
	metadata  client.Reader // ConfigMaps' metadata, from the manager's cache (the feeds' watch)
	api       client.Reader // ConfigMaps themselves, from the API server (engine.ClientOptions)
	known     *lru.Cache    // sourceKey -> sourceState: the last version read, by anyone
	announced *lru.Cache    // sourceKey -> digest: the content whose feeds were last woken for it
	reads     singleflight.Group
}

// sourceEntries bounds what sources remembers; past it, a source is read once more.
const sourceEntries = 4096

type sourceKey struct{ namespace, name, key string }

type sourceState struct {
	resourceVersion string
	sum             [sha256.Size]byte
}

func newSources(metadata, api client.Reader) *sources {
	return &sources{metadata: metadata, api: api, known: lru.New(sourceEntries), announced: lru.New(sourceEntries)}
}

// changed tells the ConfigMap watch whether the feeds reading ref must be woken: the value's
// content is not the one they were last woken for, or it cannot be had (gone, or unreadable:
// the feeds then say why). The watch's events come one at a time, so this needs no lock.
func (s *sources) changed(ctx context.Context, ns string, ref v1alpha1.ConfigMapProducts) bool {
	key := sourceKey{ns, ref.Name, ref.Key}
	sum, ok := s.digest(ctx, ns, ref)
	if !ok {
		s.announced.Remove(key)
		return true
	}
	if before, found := s.announced.Get(key); found && before.([sha256.Size]byte) == sum {
		return false
	}
	s.announced.Add(key, sum)
	return true
}

// digest is the digest of the value ref names, without a read when the manager's cache
// reports the resourceVersion it was last read at. ok is false when the value cannot be had
// (no such ConfigMap or key, too large): read then says why.
func (s *sources) digest(ctx context.Context, ns string, ref v1alpha1.ConfigMapProducts) (sum [sha256.Size]byte, ok bool) {
	m := &metav1.PartialObjectMetadata{}
	m.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("ConfigMap"))
	if err := s.metadata.Get(ctx, types.NamespacedName{Namespace: ns, Name: ref.Name}, m); err != nil {
		_, sum, err := s.read(ctx, ns, ref)
		return sum, err == nil
	}
	key := sourceKey{ns, ref.Name, ref.Key}
	if sum, ok := s.at(key, m.ResourceVersion); ok {
		return sum, true
	}
	// Every feed that finds the same new version waits for one read; one that comes after it
	// finds the version known.
	v, err, _ := s.reads.Do(fmt.Sprintf("digest\x00%s\x00%s\x00%s\x00%s", ns, ref.Name, ref.Key, m.ResourceVersion), func() (any, error) {
		if sum, ok := s.at(key, m.ResourceVersion); ok {
			return sum, nil
		}
		_, sum, err := s.read(ctx, ns, ref)
		return sum, err
	})
	if err != nil {
		return sum, false
	}
	return v.([sha256.Size]byte), true
}

// at is the digest of key's content if it was read at resourceVersion.
func (s *sources) at(key sourceKey, resourceVersion string) ([sha256.Size]byte, bool) {
	if v, found := s.known.Get(key); found && v.(sourceState).resourceVersion == resourceVersion {
		return v.(sourceState).sum, true
	}
	return [sha256.Size]byte{}, false
}

// read reads the value ref names from the API server, once for all the feeds asking at the
// same moment, and remembers its digest. It measures the value before anything is done with
// it, and refuses one over MaxProductsSourceBytes unread.
func (s *sources) read(ctx context.Context, ns string, ref v1alpha1.ConfigMapProducts) (string, [sha256.Size]byte, error) {
	type value struct {
		data string
		sum  [sha256.Size]byte
	}
	key := sourceKey{ns, ref.Name, ref.Key}
	v, err, _ := s.reads.Do(fmt.Sprintf("%s\x00%s\x00%s", ns, ref.Name, ref.Key), func() (any, error) {
		where := fmt.Sprintf("ConfigMap %s key %s", ref.Name, ref.Key)
		cm := &corev1.ConfigMap{}
		err := s.api.Get(ctx, types.NamespacedName{Namespace: ns, Name: ref.Name}, cm)
		if apierrors.IsNotFound(err) {
			return nil, invalidFeed(fmt.Sprintf("spec.productsFrom names ConfigMap %q, which does not exist in namespace %q", ref.Name, ns))
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", where, err)
		}
		data, ok := cm.Data[ref.Key]
		if !ok {
			return nil, invalidFeed(fmt.Sprintf("%s: the ConfigMap has no such key", where))
		}
		if len(data) > v1alpha1.MaxProductsSourceBytes {
			return nil, invalidFeed(fmt.Sprintf("%s holds %s bytes, more than the %s bytes (512 KiB) a products source may hold: split it into several ConfigMaps",
				where, feedplan.Thousands(int64(len(data))), feedplan.Thousands(v1alpha1.MaxProductsSourceBytes)))
		}
		sum := sha256.Sum256([]byte(data))
		s.known.Add(key, sourceState{resourceVersion: cm.ResourceVersion, sum: sum})
		return value{data: data, sum: sum}, nil
	})
	if err != nil {
		s.known.Remove(key)
		return "", [sha256.Size]byte{}, err
	}
	return v.(value).data, v.(value).sum, nil
}

// upToDate remembers, for each feed, the inputs of the last Observe that found nothing to
// push (its spec's generation, its sourceHash, the record of what was pushed, the digest of
// each source) and what it reported. The plan is a pure function of those inputs: when they
// are the same, so is the answer, and the feed's ConfigMaps need no parse.
type upToDate struct {
	feeds  *lru.Cache // types.UID -> settled
	pushed *lru.Cache // types.UID -> pushedAt: the digest of status.pushed, by resourceVersion
}

type settled struct {
	inputs [sha256.Size]byte
	pushed int64 // status.productsPushed; nothing is pending deletion
}

// pushedAt is the digest of a feed's record of what was pushed (status.pushed, hundreds of
// KB for a large feed) at one resourceVersion of the feed, which names that record exactly:
// a feed woken again and again by its ConfigMaps' events is not hashed again each time.
type pushedAt struct {
	resourceVersion string
	sum             [sha256.Size]byte
}

// upToDateEntries bounds the feeds remembered; past it, a feed is planned once more.
const upToDateEntries = 10000

func newUpToDate() *upToDate {
	return &upToDate{feeds: lru.New(upToDateEntries), pushed: lru.New(upToDateEntries)}
}

// stillUpToDate is what the last Observe that found f up to date reported, if nothing its plan
// depends on changed since. A feed never found up to date (new, or the operator restarted)
// is not digested first: its plan reads every source anyway, and digesting would read each
// of them twice.
func (x *feedExternal) stillUpToDate(ctx context.Context, f *v1alpha1.FlipsnackFeed, sourceHash string) (settled, bool) {
	v, ok := x.settled.feeds.Get(f.UID)
	if !ok {
		return settled{}, false
	}
	inputs, known := x.observeInputs(ctx, f, sourceHash)
	if !known || v.(settled).inputs != inputs {
		return settled{}, false
	}
	return v.(settled), true
}

// pushedSum is the digest of f's status.pushed, f as read from the cache (its
// resourceVersion and its record go together).
func (u *upToDate) pushedSum(f *v1alpha1.FlipsnackFeed) [sha256.Size]byte {
	if v, ok := u.pushed.Get(f.UID); ok && v.(pushedAt).resourceVersion == f.ResourceVersion && f.ResourceVersion != "" {
		return v.(pushedAt).sum
	}
	sum := sha256.Sum256(f.Status.Pushed)
	u.pushed.Add(f.UID, pushedAt{resourceVersion: f.ResourceVersion, sum: sum})
	return sum
}

func (u *upToDate) put(f *v1alpha1.FlipsnackFeed, s settled) { u.feeds.Add(f.UID, s) }

// observeInputs digests what Observe's plan depends on: the feed's generation (its spec),
// its sourceHash, the record of what was pushed, and the digest of each source's content.
// known is false when a source cannot be had (the full Observe then says why).
func (x *feedExternal) observeInputs(ctx context.Context, f *v1alpha1.FlipsnackFeed, sourceHash string) (inputs [sha256.Size]byte, known bool) {
	sums := make([][sha256.Size]byte, 0, len(f.Spec.ProductsFrom))
	for _, src := range f.Spec.ProductsFrom {
		sum, ok := x.sources.digest(ctx, f.Namespace, src.ConfigMap)
		if !ok {
			return inputs, false
		}
		sums = append(sums, sum)
	}
	return digestInputs(f, sourceHash, x.settled.pushedSum(f), sums), true
}

func digestInputs(f *v1alpha1.FlipsnackFeed, sourceHash string, pushed [sha256.Size]byte, sources [][sha256.Size]byte) [sha256.Size]byte {
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%s\x00", f.Generation, sourceHash)
	h.Write(pushed[:])
	for _, sum := range sources {
		h.Write(sum[:])
	}
	var out [sha256.Size]byte
	copy(out[:], h.Sum(nil))
	return out
}
