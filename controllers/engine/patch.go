package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	jsonpatch "github.com/evanphx/json-patch/v5"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// patchMetadata persists a change to finalizers or annotations at once, before the engine
// goes on to an external call that depends on it. It patches a copy, so the in-memory
// status built so far in this reconcile survives, and takes the new resourceVersion.
// The optimistic lock keeps a concurrent writer's finalizers from being overwritten.
func patchMetadata[T client.Object](ctx context.Context, c client.Client, obj T, mutate func(T)) error {
	cp := obj.DeepCopyObject().(T)
	mutate(cp)
	patch, err := metadataPatch(obj, cp)
	if err != nil {
		return err
	}
	if err := c.Patch(ctx, cp, client.RawPatch(types.MergePatchType, patch)); err != nil {
		return err
	}
	mutate(obj)
	obj.SetResourceVersion(cp.GetResourceVersion())
	return nil
}

// takeLiveMetadata reads obj again through live, into fresh (an empty object of obj's kind;
// a PartialObjectMetadata reads only the metadata), and takes into obj what a metadata patch
// is computed against: its resourceVersion, finalizers and deletionTimestamp. After a
// conflict, the patch computed again keeps other writers' finalizers as they are now.
func takeLiveMetadata(ctx context.Context, live client.Reader, obj, fresh client.Object) error {
	if err := live.Get(ctx, client.ObjectKeyFromObject(obj), fresh); err != nil {
		return err
	}
	obj.SetFinalizers(fresh.GetFinalizers())
	obj.SetResourceVersion(fresh.GetResourceVersion())
	obj.SetDeletionTimestamp(fresh.GetDeletionTimestamp())
	return nil
}

// metadataPatch is the merge patch from before to after of the finalizers (the whole list,
// under the optimistic lock of before's resourceVersion) and of each annotation that was
// added, changed or removed, by key. Never the annotations as a whole: the cached copy holds
// the operator's own only (StripUnread), and a merge patch computed from it would, on
// removing the last of them, write "annotations": null and erase every other (kubectl's
// last-applied copy, the tenant's own).
func metadataPatch(before, after client.Object) ([]byte, error) {
	meta := map[string]any{"resourceVersion": before.GetResourceVersion()}
	if !slices.Equal(before.GetFinalizers(), after.GetFinalizers()) {
		finalizers := after.GetFinalizers()
		if finalizers == nil {
			finalizers = []string{}
		}
		meta["finalizers"] = finalizers
	}
	annotations := map[string]any{}
	for k, v := range after.GetAnnotations() {
		if old, ok := before.GetAnnotations()[k]; !ok || old != v {
			annotations[k] = v
		}
	}
	for k := range before.GetAnnotations() {
		if _, ok := after.GetAnnotations()[k]; !ok {
			annotations[k] = nil
		}
	}
	if len(annotations) > 0 {
		meta["annotations"] = annotations
	}
	return json.Marshal(map[string]any{"metadata": meta})
}

// patchStatus writes the status once, at the end of a reconcile, as a merge patch of only
// what changed; a reconcile that changed nothing writes nothing. No resourceVersion goes
// with it: the status belongs to this controller alone, so there is no conflict to fight.
func patchStatus(ctx context.Context, c client.Client, before, after client.Object) error {
	oldStatus, err := statusJSON(before)
	if err != nil {
		return err
	}
	newStatus, err := statusJSON(after)
	if err != nil {
		return err
	}
	patch, err := jsonpatch.CreateMergePatch(oldStatus, newStatus)
	if err != nil {
		return fmt.Errorf("computing status patch: %w", err)
	}
	if string(patch) == "{}" {
		return nil
	}
	if err := c.Status().Patch(ctx, after, client.RawPatch(types.MergePatchType, patch)); client.IgnoreNotFound(err) != nil {
		return fmt.Errorf("writing status: %w", err)
	}
	return nil
}

// statusStore is the Store an engine hands its adapter: its own client's status writes.
type statusStore struct{ client client.Client }

// CheckpointStatus is checkpointStatus with the engine's client.
func (s statusStore) CheckpointStatus(ctx context.Context, obj client.Object, fields map[string]any) error {
	return checkpointStatus(ctx, s.client, obj, fields)
}

// checkpointStatus writes some status fields at once, in the middle of a reconcile: progress
// that must survive a crash before the reconcile ends (a feed's record after every batch
// but a deletion's last).
// It patches a copy, so the conditions built so far in memory stay, and the caller updates
// its own copy of those fields only once they are stored. The write moves the
// resourceVersion: unless someone else changed the metadata meanwhile, obj takes it, so the
// finalizer can still be removed with an optimistic lock right after the last batch.
func checkpointStatus(ctx context.Context, c client.Client, obj client.Object, fields map[string]any) error {
	patch, err := json.Marshal(map[string]any{"status": fields})
	if err != nil {
		return err
	}
	cp := obj.DeepCopyObject().(client.Object)
	if err := c.Status().Patch(ctx, cp, client.RawPatch(types.MergePatchType, patch)); err != nil {
		return err
	}
	// The cached obj has the operator's own annotations only (StripUnread); the answer has all.
	ownAnnotationsOnly(cp)
	if reflect.DeepEqual(cp.GetFinalizers(), obj.GetFinalizers()) && reflect.DeepEqual(cp.GetAnnotations(), obj.GetAnnotations()) {
		obj.SetResourceVersion(cp.GetResourceVersion())
	}
	return nil
}

// statusJSON is {"status": ...} of obj, the only part of it a status patch may carry.
func statusJSON(obj client.Object) ([]byte, error) {
	full, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var parts struct {
		Status json.RawMessage `json:"status,omitempty"`
	}
	if err := json.Unmarshal(full, &parts); err != nil {
		return nil, err
	}
	return json.Marshal(parts)
}

func setAnnotation(obj client.Object, key, value string) {
	a := obj.GetAnnotations()
	if a == nil {
		a = map[string]string{}
	}
	a[key] = value
	obj.SetAnnotations(a)
}

func removeAnnotation(obj client.Object, key string) {
	a := obj.GetAnnotations()
	delete(a, key)
	obj.SetAnnotations(a)
}
