package engine

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/internal/metrics"
)

// One external identity (a ProductKey, or a sourceHash within one Flipsnack account) is
// managed by at most one resource. Without this rule a user of one namespace could name
// another namespace's product in spec.productKey and, by deleting their own resource,
// delete it. The resource that recorded the identity first keeps it; any other that names
// or records it is Stalled (IdentityConflict) and never calls the platform for it, and its
// deletion leaves the product alone.

// externalIDField indexes both kinds by the identity their external-id annotation records,
// spread over identityBuckets values. One value per identity would cost two sets per object
// held (controller-runtime keeps every value of a field index twice, per namespace and
// cluster-wide, each with a set of its own): about half a kilobyte per object, more than its
// strings. A bucket holds the few objects whose identities share it, and identityHolder keeps
// of them those that record the identity itself.
const externalIDField = ".metadata.annotations.external-id/bucket"

// identityBuckets: at 10,000 objects a lookup reads about 40 of them from the cache, without
// copying them.
const identityBuckets = 256

// identityBucket is the externalIDField value of id.
func identityBucket(id string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	return strconv.FormatUint(uint64(h.Sum32()%identityBuckets), 10)
}

// RegisterIndexes registers the field indexes the controllers look resources up by: the
// credentials Secret they name (and, of those holding the lifecycle finalizer, the Secret
// they keep in use) and the external identity they record.
func RegisterIndexes(ctx context.Context, mgr ctrl.Manager) error {
	for _, k := range v1alpha1.Kinds {
		for field, index := range Indexes {
			if err := mgr.GetFieldIndexer().IndexField(ctx, k.New(), field, index); err != nil {
				return err
			}
		}
	}
	return nil
}

// Indexes are the field indexes RegisterIndexes puts on every kind, by field name; a fake
// client in tests takes the same (controllers/engine/enginetest).
var Indexes = map[string]client.IndexerFunc{
	credentialsSecretField: indexCredentialsSecret,
	externalIDField:        indexExternalID,
	secretHolderField:      indexSecretHolder,
}

func indexCredentialsSecret(o client.Object) []string {
	if name := o.(Managed).GetCredentialsSecretName(); name != "" {
		return []string{name}
	}
	return nil
}

func indexSecretHolder(o client.Object) []string {
	if !controllerutil.ContainsFinalizer(o, v1alpha1.Finalizer) {
		return nil
	}
	return indexCredentialsSecret(o)
}

func indexExternalID(o client.Object) []string {
	if id := o.GetAnnotations()[v1alpha1.ExternalIDAnnotation]; id != "" {
		return []string{identityBucket(id)}
	}
	return nil
}

// identityHolder returns the resource that has the better claim to id than obj: another
// resource of the kind that records id (in the same account, where identities are only
// unique within one) and either recorded it while obj did not, or is older. nil means obj
// may manage id. Of two resources that both recorded it (a race of two adoptions, or a
// restore), the older keeps it, so exactly one of them ever deletes the product.
func (e *Engine[T, P]) identityHolder(ctx context.Context, obj T, id string) (Managed, error) {
	// The cache's own objects (UnsafeDisableDeepCopy): they are only read here, and the
	// holder found is only named in a message.
	list := e.NewList()
	if err := e.Client.List(ctx, list, client.MatchingFields{externalIDField: identityBucket(id)}, client.UnsafeDisableDeepCopy); err != nil {
		return nil, fmt.Errorf("listing resources that record %s %s: %w", e.Noun, id, err)
	}
	recorded := obj.GetAnnotations()[v1alpha1.ExternalIDAnnotation] == id
	var holder Managed
	err := meta.EachListItem(list, func(o runtime.Object) error {
		other := o.(Managed)
		if other.GetAnnotations()[v1alpha1.ExternalIDAnnotation] != id {
			return nil // another identity of the same bucket
		}
		if other.GetUID() == obj.GetUID() || (recorded && !olderThan(other, obj)) {
			return nil
		}
		if holder != nil && !olderThan(other, holder) {
			return nil
		}
		if e.SameAccount != nil {
			same, err := e.SameAccount(ctx, obj, other)
			if err != nil || !same {
				return err
			}
		}
		holder = other
		return nil
	})
	return holder, err
}

// olderThan orders resources by creation, then by namespace and name, so that any two
// resources agree on which of them came first.
func olderThan(a, b client.Object) bool {
	ta, tb := a.GetCreationTimestamp(), b.GetCreationTimestamp()
	if !ta.Equal(&tb) {
		return ta.Before(&tb)
	}
	if a.GetNamespace() != b.GetNamespace() {
		return a.GetNamespace() < b.GetNamespace()
	}
	return a.GetName() < b.GetName()
}

// identityConflict is the message of obj, which may not manage id because holder does. It
// names the holder only to a resource of the holder's own namespace: conditions and events
// are read by the namespace's users, who must learn nothing of another tenant's resources.
func (e *Engine[T, P]) identityConflict(obj T, holder Managed, id string) string {
	by := fmt.Sprintf("%s %s/%s", metrics.KindOf(holder), holder.GetNamespace(), holder.GetName())
	if holder.GetNamespace() != obj.GetNamespace() {
		by = "a resource of another namespace (a cluster administrator can tell which)"
	}
	return fmt.Sprintf("%s %s is already managed by %s: one %s is managed by one resource only, so this one never calls the platform for it, and deleting it leaves the %s alone. "+
		"Delete this resource, or name another %s",
		e.Noun, id, by, e.Noun, e.Noun, e.Noun)
}

// leaveToHolder releases a deleted obj without any platform call when another resource has
// the better claim to id: the product is that resource's to delete. held says the deletion
// ends here, with res, gone and err.
func (e *Engine[T, P]) leaveToHolder(ctx context.Context, obj T, id string) (held bool, res ctrl.Result, gone bool, err error) {
	holder, err := e.identityHolder(ctx, obj, id)
	if err != nil {
		return true, ctrl.Result{}, false, err
	}
	if holder == nil {
		return false, ctrl.Result{}, false, nil
	}
	res, gone, err = e.release(ctx, obj, EventOrphaned, "%s", e.identityConflict(obj, holder, id))
	return true, res, gone, err
}

// markSkew is how much earlier than our create-pending mark the platform may date a product
// that our create made. The mark is written in whole seconds (up to 1 s early) by the
// manager's clock, the creation time by the platform's; NTP keeps both within a second, and
// a minute more covers a node whose clock drifted for days. A product of the same name made
// by someone else would have to be made in that same minute to be taken for ours.
const markSkew = time.Minute

// MadeUnderMark tells whether a product the platform dates created may have been made by
// the create obj's create-pending mark announced. Anything older was there before our
// create and belongs to someone else (a NameConflict), and so does anything when the mark
// cannot be read.
func MadeUnderMark(obj client.Object, created time.Time) bool {
	mark, err := time.Parse(time.RFC3339, obj.GetAnnotations()[v1alpha1.CreatePendingAnnotation])
	return err == nil && !created.Before(mark.Add(-markSkew))
}

// lostIdentity returns the identity obj's status reports when nothing else records it: the
// external-id annotation is gone, the spec names none and no create is pending. The
// annotation is what the operator trusts (an admission policy keeps it the operator's);
// status may be written by others, so the engine neither creates a second product nor
// deletes this one on its word, and a person must say which it is.
func lostIdentity(obj Managed) string {
	_, pending := obj.GetAnnotations()[v1alpha1.CreatePendingAnnotation]
	if pending || obj.GetAnnotations()[v1alpha1.ExternalIDAnnotation] != "" || obj.GetSpecExternalID() != "" {
		return ""
	}
	return obj.GetStatusExternalID()
}

// identityLost is the message of a resource whose status reports id that nothing records.
func (e *Engine[T, P]) identityLost(obj T, id string) string {
	return fmt.Sprintf("the status reports %s %s, but the annotation %s that records it was removed: the operator will neither make a second %s nor delete %s on the word of the status alone. "+
		"To manage %s again, name it in the spec's identity field; to let this resource go and leave it on the platform, set spec.deletionPolicy to Orphan",
		e.Noun, id, v1alpha1.ExternalIDAnnotation, e.Noun, id, id)
}
