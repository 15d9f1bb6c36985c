package controllers_test

import (
	"context"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// managerWrites counts what the suite's manager writes to each resource of ours, split into
// writes of the object (metadata: finalizers, annotations) and of its status, so tests can
// hold the engine to the writes a create or a resync needs: at scale, each one is a request
// to the API server for every object.
var managerWrites = &writeCounts{counts: map[client.ObjectKey]*objectWrites{}}

type objectWrites struct{ object, status int }

// minus is the writes made since before.
func (w objectWrites) minus(before objectWrites) objectWrites {
	return objectWrites{object: w.object - before.object, status: w.status - before.status}
}

type writeCounts struct {
	mu     sync.Mutex
	counts map[client.ObjectKey]*objectWrites
}

func (w *writeCounts) note(obj client.Object, status bool) {
	switch obj.(type) {
	case *v1alpha1.IoTProduct, *v1alpha1.FlipsnackFeed:
	default:
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.counts[client.ObjectKeyFromObject(obj)]
	if c == nil {
		c = &objectWrites{}
		w.counts[client.ObjectKeyFromObject(obj)] = c
	}
	if status {
		c.status++
	} else {
		c.object++
	}
}

func (w *writeCounts) of(obj client.Object) objectWrites {
	w.mu.Lock()
	defer w.mu.Unlock()
	if c := w.counts[client.ObjectKeyFromObject(obj)]; c != nil {
		return *c
	}
	return objectWrites{}
}

// newCountingClient is the manager's client (client.New, reading from the cache) with every
// write of ours counted.
func newCountingClient(config *rest.Config, options client.Options) (client.Client, error) {
	c, err := client.New(config, options)
	return countingClient{Client: c}, err
}

type countingClient struct{ client.Client }

// Get counts the ConfigMaps the manager reads from the API server (ConfigMaps are never
// cached in full).
func (c countingClient) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	if _, ok := obj.(*corev1.ConfigMap); ok {
		configMapReads.add(key)
	}
	return c.Client.Get(ctx, key, obj, opts...)
}

// configMapReads counts the manager's reads of each ConfigMap.
var configMapReads = &readCounts{counts: map[client.ObjectKey]int{}}

type readCounts struct {
	mu     sync.Mutex
	counts map[client.ObjectKey]int
}

func (r *readCounts) add(key client.ObjectKey) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counts[key]++
}

// inNamespace is the reads of ns's ConfigMaps so far.
func (r *readCounts) inNamespace(ns string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for key, c := range r.counts {
		if key.Namespace == ns {
			n += c
		}
	}
	return n
}

func (c countingClient) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
	managerWrites.note(obj, false)
	if obj.GetDeletionTimestamp() != nil && !controllerutil.ContainsFinalizer(obj, v1alpha1.Finalizer) {
		if err := releaseRefusals.take(obj); err != nil {
			return err
		}
	}
	return c.Client.Patch(ctx, obj, patch, opts...)
}

// releaseRefusals holds the objects whose next removal of the finalizer the manager's client
// fails, with the error an API server would answer (gone away, or a conflict).
var releaseRefusals = &refusals{errs: map[client.ObjectKey]error{}}

type refusals struct {
	mu   sync.Mutex
	errs map[client.ObjectKey]error
}

func (r *refusals) add(obj client.Object, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs[client.ObjectKeyFromObject(obj)] = err
}

// take returns the error for obj's removal, once; nil lets it through.
func (r *refusals) take(obj client.Object) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := client.ObjectKeyFromObject(obj)
	err := r.errs[key]
	delete(r.errs, key)
	return err
}

func (c countingClient) Update(ctx context.Context, obj client.Object, opts ...client.UpdateOption) error {
	managerWrites.note(obj, false)
	return c.Client.Update(ctx, obj, opts...)
}

func (c countingClient) Status() client.SubResourceWriter {
	return countingStatus{SubResourceWriter: c.Client.Status()}
}

type countingStatus struct{ client.SubResourceWriter }

func (s countingStatus) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
	managerWrites.note(obj, true)
	return s.SubResourceWriter.Patch(ctx, obj, patch, opts...)
}

func (s countingStatus) Update(ctx context.Context, obj client.Object, opts ...client.SubResourceUpdateOption) error {
	managerWrites.note(obj, true)
	return s.SubResourceWriter.Update(ctx, obj, opts...)
}

// A new product costs the API server two object writes (the finalizer with the
// create-pending mark, then the identity) and two status writes (Creating, said before the
// platform is called, then Ready); resyncs that find nothing to do add none.
func TestCreatingAProductWritesTheObjectTwiceAndItsStatusTwice(t *testing.T) {
	ns := newNamespace(t)
	p, _ := readyProduct(t, ns, "frugal")
	want := objectWrites{object: 2, status: 2}
	if got := managerWrites.of(p); got != want {
		t.Errorf("writes to create the product: %+v, want %+v", got, want)
	}
	time.Sleep(3 * testSyncPeriod)
	if got := managerWrites.of(p); got != want {
		t.Errorf("writes after idle resyncs: %+v, want still %+v", got, want)
	}
	waitCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionTrue, "Available")
}
