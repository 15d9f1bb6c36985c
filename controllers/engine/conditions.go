package engine

import (
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// Reasons of the Ready condition (docs/design.md, "Conditions and reasons").
const (
	ReasonAvailable        = "Available"
	ReasonObserved         = "Observed"
	ReasonCreating         = "Creating"
	ReasonUpdating         = "Updating"
	ReasonDeleting         = "Deleting"
	ReasonCreateFailed     = "CreateFailed"
	ReasonUpdateFailed     = "UpdateFailed"
	ReasonDeleteFailed     = "DeleteFailed"
	ReasonObserveFailed    = "ObserveFailed"
	ReasonNotFound         = "NotFound"
	ReasonNameConflict     = "NameConflict"
	ReasonIdentityConflict = "IdentityConflict"
	ReasonIdentityLost     = "IdentityLost"
	ReasonCredentialsError = "CredentialsError"
	ReasonDeletionGuarded  = "DeletionGuarded"
	// ReasonNotFoundElsewhere: the platform says "no such product" to other credentials than
	// those that created it, which proves nothing; the deletion is not counted as done.
	ReasonNotFoundElsewhere = "NotFoundElsewhere"
	// ReasonInvalidSpec: the operator refuses the spec before asking any platform (a products
	// source it cannot use, a record too large to keep, a bound it enforces).
	ReasonInvalidSpec = "InvalidSpec"
	// ReasonTooManyProducts: a feed holds more products than the operator manages in one feed.
	ReasonTooManyProducts = "TooManyProducts"
)

// Reasons of the Normal events the engine records (warnings carry the Ready reasons above).
const (
	EventCreated          = "Created"
	EventIdentityRecorded = "IdentityRecorded"
	EventAdopted          = "Adopted"
	EventUpdated          = "Updated"
)

// releaseReason is why a deleted object was let go: the reason of its event and the result
// of prodlife_deletions_total.
type releaseReason string

const (
	// EventDeleted: the product was deleted, or was already gone.
	EventDeleted releaseReason = "Deleted"
	// EventOrphaned: the product stays on the platform (policy, an uninstall, another owner).
	EventOrphaned releaseReason = "Orphaned"
	// EventNothingToDelete: no product was ever made for the object.
	EventNothingToDelete releaseReason = "NothingToDelete"
)

// state is the whole of what one reconcile reports: Ready with its reason and message, and
// whether work goes on (Reconciling) or a person must act (Stalled).
type state struct {
	ready       bool
	reason      string
	message     string
	reconciling bool
	stalled     bool
}

// setState writes the three conditions at once, so they never contradict each other, and
// marks the status as describing the current generation.
func setState(obj Managed, s state) {
	st := obj.GetCommonStatus()
	gen := obj.GetGeneration()
	st.ObservedGeneration = gen

	ready := metav1.ConditionFalse
	if s.ready {
		ready = metav1.ConditionTrue
	}
	meta.SetStatusCondition(&st.Conditions, metav1.Condition{
		Type: v1alpha1.ConditionReady, Status: ready, Reason: s.reason, Message: s.message, ObservedGeneration: gen,
	})

	rec := metav1.Condition{Type: v1alpha1.ConditionReconciling, Status: metav1.ConditionFalse, Reason: "Idle", Message: "no work under way", ObservedGeneration: gen}
	if s.reconciling {
		rec.Status, rec.Reason, rec.Message = metav1.ConditionTrue, s.reason, s.message
	}
	meta.SetStatusCondition(&st.Conditions, rec)

	stalled := metav1.Condition{Type: v1alpha1.ConditionStalled, Status: metav1.ConditionFalse, Reason: "NotStalled", Message: "nothing waits for a person", ObservedGeneration: gen}
	if s.stalled {
		stalled.Status, stalled.Reason, stalled.Message = metav1.ConditionTrue, s.reason, s.message
	}
	meta.SetStatusCondition(&st.Conditions, stalled)
}

// keepConditions restores the three conditions setState writes to what the status began
// with (reported), so that the reconcile's status write has nothing to send: what it said
// in memory before a call that then failed as before ("Deleting") is no news.
func keepConditions(obj Managed, reported *v1alpha1.CommonStatus) {
	conditions := &obj.GetCommonStatus().Conditions
	for _, t := range []string{v1alpha1.ConditionReady, v1alpha1.ConditionReconciling, v1alpha1.ConditionStalled} {
		if c := meta.FindStatusCondition(reported.Conditions, t); c != nil {
			meta.SetStatusCondition(conditions, *c)
		} else {
			meta.RemoveStatusCondition(conditions, t)
		}
	}
}

// lastSyncPrecision is how stale status.lastSyncTime may be: within it, a reconcile that
// sees the product match again leaves the field alone. Requeues, requested reconciles and
// watch events come in bursts, and each would otherwise cost a status write of its own to
// move a timestamp by seconds.
const lastSyncPrecision = time.Minute

// markSynced records that the platform was seen matching the spec at now.
func markSynced(obj Managed, now time.Time) {
	st := obj.GetCommonStatus()
	if st.LastSyncTime != nil && now.Sub(st.LastSyncTime.Time) < lastSyncPrecision && !now.Before(st.LastSyncTime.Time) {
		return
	}
	st.LastSyncTime = &metav1.Time{Time: now.UTC().Truncate(time.Second)}
}

// setStalledOnly raises Stalled without touching Ready: the product is fine, but something
// around it waits for a person (a namespace deletion held up by deletion protection).
func setStalledOnly(obj Managed, reason, message string) {
	st := obj.GetCommonStatus()
	meta.SetStatusCondition(&st.Conditions, metav1.Condition{
		Type: v1alpha1.ConditionStalled, Status: metav1.ConditionTrue, Reason: reason, Message: message,
		ObservedGeneration: obj.GetGeneration(),
	})
}

// halt ends a reconcile early with what Reconcile returns. A step that returns one has said,
// in the status, why the object cannot go on (or failed to reach the API server).
type halt struct {
	res ctrl.Result
	err error
}

func stopWith(res ctrl.Result, err error) *halt { return &halt{res: res, err: err} }
