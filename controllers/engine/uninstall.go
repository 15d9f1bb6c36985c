package engine

import (
	"context"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Uninstalling the operator deletes its CRDs, and the API server then deletes every object of
// them. Those deletions are no one's decision to retire a product, so the engine treats them
// like deletionPolicy Orphan: the products stay on the platforms.

// crdReadGathering is how long a deletion's CRD read waits for others to share it.
const crdReadGathering = 10 * time.Millisecond

var crdGVK = schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"}

// crdBeingDeleted reports whether the kind's CustomResourceDefinition is being deleted (or is
// already gone). The API server marks the CRD before it deletes a single object of it, and
// the read goes to the API server itself (APIReader), so a deletion that an uninstall caused
// always sees the mark. It is read only when a product would otherwise be deleted, so no
// cluster-wide informer on CRDs is kept for it; the deletions that need it at the same
// moment (a bulk deletion) share one read that began after each of them asked (freshRead),
// gathered for up to crdReadGathering: a deletion is a platform call and two API writes, so
// 10 ms more before it is little, and a bulk deletion then reads once for several objects.
//
// A retry of a deletion that has already had its answer (uid names the object) takes the
// answer of any read begun less than crdReadReuse ago instead: that read began after this
// object's deletion was seen (its first read did), so it would have seen an uninstall that
// caused it, and an uninstall begun since is seen within crdReadReuse. In an outage of the
// platform every deletion retries every few seconds, and each retry read the whole CRD.
func (e *Engine[T, P]) crdBeingDeleted(ctx context.Context, uid types.UID) (bool, error) {
	if e.crdAnswered.has(uid) {
		if deleting, ok := e.crdLastRead.since(time.Now().Add(-crdReadReuse)); ok {
			return deleting, nil
		}
	}
	deleting, err := e.crdRead.get(ctx, gathering{wait: crdReadGathering, full: e.Workers}, func(ctx context.Context) (bool, error) {
		began := time.Now()
		crd := &metav1.PartialObjectMetadata{}
		crd.SetGroupVersionKind(crdGVK)
		err := e.APIReader.Get(ctx, client.ObjectKey{Name: e.CRDName}, crd)
		if err != nil && !apierrors.IsNotFound(err) {
			return false, err
		}
		deleting := err != nil || crd.GetDeletionTimestamp() != nil // gone counts as being deleted
		e.crdLastRead.keep(began, deleting)
		return deleting, nil
	})
	if err == nil {
		e.crdAnswered.add(uid)
	}
	return deleting, err
}

// crdReadReuse is how old a CRD read a retried deletion may take the answer of.
var crdReadReuse = 5 * time.Second

// crdAnswer is the answer of the latest CRD read and when that read began.
type crdAnswer struct {
	mu       sync.Mutex
	began    time.Time
	deleting bool
}

func (a *crdAnswer) keep(began time.Time, deleting bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if began.After(a.began) {
		a.began, a.deleting = began, deleting
	}
}

// since is the latest answer when its read began after t.
func (a *crdAnswer) since(t time.Time) (deleting, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.deleting, a.began.After(t)
}

// crdRefusalGrace is how long the API server may refuse the CRD read (Forbidden) before a
// deletion stalls on it. An API server that has just started answers Forbidden until its
// RBAC caches are filled (the fault suite's control-plane restart shows it: seconds); a
// refusal that lasts is a missing grant, which only a person can add.
var crdRefusalGrace = time.Minute

// crdRefusalGap is how long without a refusal makes the next one count as new.
const crdRefusalGap = 10 * time.Minute

// refusal remembers since when the CRD read has been refused, for every deletion of the kind
// (they read the same CRD): the first refusal starts the clock; any other answer stops it,
// and so does a pause of crdRefusalGap without refusals (an old refusal says nothing of a new
// one; the gap is longer than the longest backoff, --retry-max-delay's 5 minutes, so the
// retries of one deletion keep the clock running).
type refusal struct {
	mu          sync.Mutex
	since, last time.Time
}

// lasting records a refusal at now and says whether refusals have lasted crdRefusalGrace.
func (r *refusal) lasting(now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.since.IsZero() || now.Sub(r.last) > crdRefusalGap {
		r.since = now
	}
	r.last = now
	return now.Sub(r.since) >= crdRefusalGrace
}

func (r *refusal) clear() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.since, r.last = time.Time{}, time.Time{}
}
