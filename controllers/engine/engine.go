package engine

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
	"github.com/prodlife/product-lifecycle-operator/internal/metrics"
)

// Engine is the one lifecycle engine both kinds run on (docs/design.md, "The lifecycle
// contract"). It does the Kubernetes bookkeeping (finalizers, identity annotations,
// conditions, events, one status patch per reconcile) and leaves every platform call to the
// kind's External adapter.
type Engine[T Managed, P any] struct {
	Client client.Client
	// APIReader reads from the API server itself, uncached: for reads that must not be stale
	// and are too rare to keep an informer for (the kind's CRD, during a deletion).
	APIReader client.Reader
	// CRDName is the kind's CustomResourceDefinition; its deletion (an uninstall) orphans
	// the products instead of deleting them.
	CRDName string
	// Secrets remembers credentials Secrets by the resourceVersion the cache's metadata
	// watch reports (newSecretData); nil reads every one from the API server.
	Secrets   *SecretData
	Recorder  events.EventRecorder
	NewObject func() T
	NewList   func() client.ObjectList
	Connector Connector[T, P]
	// Noun names the external thing in messages: "product", "feed".
	Noun string
	// SyncPeriod is how often a product that the platform can read back is observed again
	// (jittered by 10%); 0 means only on changes, for platforms with no read action.
	SyncPeriod time.Duration
	// PollInterval, when set, is an object's own period in place of SyncPeriod (an
	// IoTProduct's spec.pollInterval); 0 means SyncPeriod.
	PollInterval func(obj T) time.Duration
	// SlowRetry is how often a failure that only a person can fix is tried again; fixing a
	// Secret or the spec triggers a reconcile at once anyway.
	SlowRetry time.Duration
	// ThrottleWait is how long the engine waits after the platform's rate limit answered
	// (jittered by 10%). Throttling is the platform asking for patience, not a failure.
	ThrottleWait time.Duration
	// Workers is the controller's MaxConcurrentReconciles: a deletion's CRD read waits for
	// other deletions to share it only while fewer than that many wait (crdBeingDeleted).
	Workers int
	// NothingCreated, when set, tells from the object alone that no external product exists
	// for it yet (a feed whose record of pushed products is empty), so its deletion needs
	// neither credentials nor an API call.
	NothingCreated func(obj T) bool
	// MayUseOwnCredentials says whether a resource of the namespace that names no credentials
	// Secret may use the operator's own credentials (Options.DefaultCredentialsNamespaces);
	// nil allows none.
	MayUseOwnCredentials func(namespace string) bool
	// SameAccount, when set, says whether two resources reach the same platform account; it
	// is set for kinds whose identities are unique only within one account (a feed's
	// sourceHash). nil means identities are unique on the whole platform (a ProductKey).
	SameAccount func(ctx context.Context, a T, b Managed) (bool, error)

	released    recentObjects   // released by this manager (released.go)
	crdRead     freshRead[bool] // crdBeingDeleted's live reads, shared by deletions at once
	crdLastRead crdAnswer       // the latest of those reads, for retries
	crdAnswered recentObjects   // deletions that had an answer of those reads
	crdRefused  refusal         // since when those reads have been Forbidden
}

// Reconcile tells the story of one object: load it, delete or create-observe-update its
// external product, then write the status once.
func (e *Engine[T, P]) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	obj := e.NewObject()
	if err := e.Client.Get(ctx, req.NamespacedName, obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	before := obj.DeepCopyObject().(T)
	ctx = withReported(ctx, before.GetCommonStatus())

	var (
		res  ctrl.Result
		err  error
		gone bool
	)
	if e.paused(obj) {
		return ctrl.Result{}, patchStatus(ctx, e.Client, before, obj)
	}
	if obj.GetDeletionTimestamp() != nil {
		res, gone, err = e.finalize(ctx, obj)
	} else {
		res, err = e.reconcile(ctx, obj)
		if obj.GetLifecyclePolicies().DeletionProtection {
			e.notePendingNamespaceDeletion(ctx, obj)
		}
	}
	// A reconcile ran after the request (reading the platform afresh where the kind can be
	// read; its conditions say what it found): say it was handled.
	if requested, ok := obj.GetAnnotations()[v1alpha1.ReconcileRequestedAtAnnotation]; ok {
		obj.GetCommonStatus().LastHandledReconcileAt = requested
	}
	if !gone {
		if perr := patchStatus(ctx, e.Client, before, obj); perr != nil && err == nil {
			err = perr
		}
	}
	return res, err
}

func (e *Engine[T, P]) reconcile(ctx context.Context, obj T) (ctrl.Result, error) {
	policies := obj.GetLifecyclePolicies()
	if id := lostIdentity(obj); id != "" {
		return e.stall(obj, ReasonIdentityLost, "Create", e.identityLost(obj, id)), nil
	}

	// The finalizer is persisted before any external call, so no product can exist that a
	// deletion would not see. An object about to be created takes it in the same write as
	// its create-pending mark, right before the create (one write to the API server instead
	// of two for every new object); any other object takes it here.
	if !e.aboutToCreate(obj) {
		if err := e.addFinalizer(ctx, obj); err != nil {
			return ctrl.Result{}, err
		}
	}

	ext, h := e.connect(ctx, obj, "")
	if h != nil {
		// Not created after all: the object still takes the finalizer, so its deletion is
		// reported like any other.
		if ferr := e.addFinalizer(ctx, obj); ferr != nil && h.err == nil {
			h.err = ferr
		}
		return h.res, h.err
	}

	id, h := e.identify(ctx, obj, ext)
	if h != nil {
		return h.res, h.err
	}
	if id == "" {
		if policies.ManagementPolicy == v1alpha1.ManagementPolicyObserveOnly {
			setState(obj, state{reason: ReasonNotFound, stalled: true, message: fmt.Sprintf(
				"managementPolicy is ObserveOnly and there is no %s to observe: set the spec's identity field to name an existing one", e.Noun)})
			return ctrl.Result{}, nil
		}
		created, res, err := e.create(ctx, obj, ext)
		if created == "" {
			return res, err
		}
		id = created
	}
	return e.observeAndUpdate(ctx, obj, ext, id)
}

func (e *Engine[T, P]) addFinalizer(ctx context.Context, obj T) error {
	if controllerutil.ContainsFinalizer(obj, v1alpha1.Finalizer) {
		return nil
	}
	if err := patchMetadata(ctx, e.Client, obj, func(o T) { controllerutil.AddFinalizer(o, v1alpha1.Finalizer) }); err != nil {
		return fmt.Errorf("adding finalizer: %w", err)
	}
	return nil
}

// aboutToCreate says that this object's reconcile can only end in a create (or fail before
// it): nothing names or records an identity, no earlier create left its mark, and the
// object may create. identify makes no call for such an object.
func (e *Engine[T, P]) aboutToCreate(obj T) bool {
	_, pending := obj.GetAnnotations()[v1alpha1.CreatePendingAnnotation]
	return obj.GetSpecExternalID() == "" && obj.GetAnnotations()[v1alpha1.ExternalIDAnnotation] == "" && !pending &&
		obj.GetLifecyclePolicies().ManagementPolicy != v1alpha1.ManagementPolicyObserveOnly
}

// identify returns the external identity this object manages: the one the spec names to
// adopt, the one recorded after our create, or the one an interrupted create left behind;
// "" when there is none yet. A non-nil halt ends the reconcile.
func (e *Engine[T, P]) identify(ctx context.Context, obj T, ext External[T, P]) (string, *halt) {
	id, h := e.findIdentity(ctx, obj, ext)
	if h != nil || id == "" {
		return id, h
	}
	if conflict, err := e.conflicting(ctx, obj, id); conflict || err != nil {
		return "", stopWith(ctrl.Result{RequeueAfter: jitter(e.SlowRetry)}, err)
	}
	var err error
	switch {
	case obj.GetAnnotations()[v1alpha1.ExternalIDAnnotation] == id:
	case obj.GetSpecExternalID() == id:
		if h := e.seenBeforeClaim(ctx, obj, ext, id); h != nil {
			return "", h
		}
		err = e.recordIdentity(ctx, obj, id)
	default:
		err = e.adoptInterrupted(ctx, obj, id)
	}
	if err != nil {
		return "", stopWith(ctrl.Result{}, err)
	}
	return id, nil
}

// seenBeforeClaim lets obj claim the id its spec names only once its own credentials have
// seen it on the platform. A recorded claim decides who may manage, and delete, a product:
// a resource naming a product its credentials cannot see (another tenant's, named on
// purpose or by mistake) must record nothing, or it would stand for ever in the way of the
// resource that can. It tells the resource what it tells anyone who names a product that
// does not exist, and nothing of who else might manage it.
func (e *Engine[T, P]) seenBeforeClaim(ctx context.Context, obj T, ext External[T, P], id string) *halt {
	obs, err := ext.Observe(ctx, obj, id)
	if err != nil {
		return stopWith(e.fail(ctx, obj, ReasonObserveFailed, "Observe", fmt.Sprintf("reading %s %s", e.Noun, id), err, ""))
	}
	if obs.Exists {
		return nil
	}
	setState(obj, state{reason: ReasonNotFound, stalled: true, message: fmt.Sprintf(
		"%s %s does not exist on the platform, or these credentials cannot see it: this resource claims it only once they can; check the spec's identity field and the account it is looked up in",
		e.Noun, id)})
	return stopWith(ctrl.Result{RequeueAfter: jitter(e.SlowRetry)}, nil)
}

// conflicting stalls obj when another resource has the better claim to id.
func (e *Engine[T, P]) conflicting(ctx context.Context, obj T, id string) (bool, error) {
	holder, err := e.identityHolder(ctx, obj, id)
	if err != nil || holder == nil {
		return false, err
	}
	setState(obj, state{reason: ReasonIdentityConflict, stalled: true, message: e.identityConflict(obj, holder, id)})
	return true, nil
}

// findIdentity is identify without the ownership check or the recording: the identity the
// spec names, the recorded one, or the one Lookup finds under our create-pending mark.
func (e *Engine[T, P]) findIdentity(ctx context.Context, obj T, ext External[T, P]) (string, *halt) {
	recorded := obj.GetAnnotations()[v1alpha1.ExternalIDAnnotation]
	if specID := obj.GetSpecExternalID(); specID != "" {
		if recorded != "" && recorded != specID {
			setState(obj, state{reason: ReasonIdentityConflict, stalled: true, message: fmt.Sprintf(
				"the spec names %s %s but this resource already manages %s (annotation %s): it will not switch; create a new resource to adopt %s",
				e.Noun, specID, recorded, v1alpha1.ExternalIDAnnotation, specID)})
			return "", stopWith(ctrl.Result{}, nil)
		}
		return specID, nil
	}
	if recorded != "" {
		return recorded, nil
	}
	if _, pending := obj.GetAnnotations()[v1alpha1.CreatePendingAnnotation]; !pending {
		return "", nil
	}
	// Our own create-pending mark without an identity: an earlier create may have reached the
	// platform before its answer was lost. Look before creating again.
	found, ok, err := ext.Lookup(ctx, obj)
	if err != nil {
		return "", stopWith(e.fail(ctx, obj, ReasonCreateFailed, "Create", fmt.Sprintf("looking up the %s an interrupted create may have made", e.Noun), err, ""))
	}
	if !ok {
		return "", nil
	}
	return found, nil
}

// adoptInterrupted records a product that an earlier, interrupted create of this object made.
func (e *Engine[T, P]) adoptInterrupted(ctx context.Context, obj T, found string) error {
	if err := e.recordIdentity(ctx, obj, found); err != nil {
		return err
	}
	e.event(obj, corev1.EventTypeNormal, EventAdopted, "Create", "found %s %s made by an earlier, interrupted create of this resource, and took it over", e.Noun, found)
	return nil
}

// create marks the object create-pending, creates the product and records its identity.
// The mark is persisted first: a crash after the platform made the product but before the
// identity is recorded leaves the mark, and the next reconcile finds the product by Lookup.
// A new object's finalizer goes in the same write, and its credentials Secret is protected
// right after it, before the platform is called.
func (e *Engine[T, P]) create(ctx context.Context, obj T, ext External[T, P]) (string, ctrl.Result, error) {
	_, retrying := obj.GetAnnotations()[v1alpha1.CreatePendingAnnotation]
	unprotected := !controllerutil.ContainsFinalizer(obj, v1alpha1.Finalizer)
	if !retrying {
		err := patchMetadata(ctx, e.Client, obj, func(o T) {
			controllerutil.AddFinalizer(o, v1alpha1.Finalizer)
			setAnnotation(o, v1alpha1.CreatePendingAnnotation, time.Now().UTC().Format(time.RFC3339))
		})
		if err != nil {
			return "", ctrl.Result{}, fmt.Errorf("adding finalizer and marking create-pending: %w", err)
		}
	}
	if err := e.beforeCreateCall(ctx, obj, unprotected); err != nil {
		if !retrying {
			// Nothing reached the platform under the mark just set: take it back, so that no
			// later lookup under it can take over a product of this name made by another.
			err = errors.Join(err, e.clearPending(ctx, obj))
		}
		return "", ctrl.Result{}, err
	}

	result, err := ext.Create(ctx, obj)
	if err != nil {
		class := apierr.ClassOf(err)
		if class == apierr.AlreadyExists && retrying {
			// Under our own mark, the name may be taken by our earlier create, which the
			// platform applied after that attempt's answer was lost and after the lookup
			// before this one: look again before calling it a conflict.
			if found, ok, lerr := ext.Lookup(ctx, obj); lerr == nil && ok {
				if conflict, err := e.conflicting(ctx, obj, found); conflict || err != nil {
					return "", ctrl.Result{RequeueAfter: jitter(e.SlowRetry)}, err
				}
				return found, ctrl.Result{}, e.adoptInterrupted(ctx, obj, found)
			}
		}
		if class == apierr.AlreadyExists || class.Terminal() {
			// The platform refused: nothing was made, so the mark must go, or a later
			// lookup could take over a product this resource did not create.
			if cerr := e.clearPending(ctx, obj); cerr != nil {
				return "", ctrl.Result{}, cerr
			}
		}
		if class == apierr.AlreadyExists {
			msg := fmt.Sprintf("a %s with this name already exists on the platform and this resource did not create it (%v); choose another name, or name the existing one in the spec to adopt it", e.Noun, err)
			setState(obj, state{reason: ReasonNameConflict, stalled: true, message: msg})
			e.event(obj, corev1.EventTypeWarning, ReasonNameConflict, "Create", "%s", msg)
			return "", ctrl.Result{RequeueAfter: jitter(e.SlowRetry)}, nil
		}
		res, err := e.fail(ctx, obj, ReasonCreateFailed, "Create", "creating the "+e.Noun, err, "")
		return "", res, err
	}
	if err := e.recordIdentity(ctx, obj, result.ExternalID); err != nil {
		return "", ctrl.Result{}, err
	}
	if result.Message != "" {
		// The adapter only chose the identity (a feed's sourceHash); the product itself is
		// made later, so "Created" would claim too much.
		e.event(obj, corev1.EventTypeNormal, EventIdentityRecorded, "Create", "%s", result.Message)
	} else {
		e.event(obj, corev1.EventTypeNormal, EventCreated, "Create", "created %s %s%s", e.Noun, result.ExternalID, requestIDSuffix(result.RequestID))
	}
	return result.ExternalID, ctrl.Result{}, nil
}

// beforeCreateCall does what must be done before the platform is asked to create: protect
// the credentials Secret of an object that has just taken its finalizer, and say "Creating".
func (e *Engine[T, P]) beforeCreateCall(ctx context.Context, obj T, protectSecret bool) error {
	if protectSecret {
		if err := e.protectSecretOf(ctx, obj); err != nil {
			return err
		}
	}
	firstWord := meta.FindStatusCondition(obj.GetCommonStatus().Conditions, v1alpha1.ConditionReady) == nil
	prev := obj.DeepCopyObject().(T)
	setState(obj, state{reason: ReasonCreating, reconciling: true, message: fmt.Sprintf("creating the %s", e.Noun)})
	if firstWord {
		// Said before the first platform call, which may take a while: an object without
		// status reads as "Current" to kstatus (Flux), which would end a `wait` too early.
		return patchStatus(ctx, e.Client, prev, obj)
	}
	return nil
}

func (e *Engine[T, P]) observeAndUpdate(ctx context.Context, obj T, ext External[T, P], id string) (ctrl.Result, error) {
	policies := obj.GetLifecyclePolicies()
	obs, err := ext.Observe(ctx, obj, id)
	if err != nil {
		return e.fail(ctx, obj, ReasonObserveFailed, "Observe", fmt.Sprintf("reading %s %s", e.Noun, id), err, "")
	}
	if !obs.Exists {
		msg := fmt.Sprintf("%s %s does not exist on the platform: check the spec's identity field and the account it is looked up in", e.Noun, id)
		if obj.GetSpecExternalID() == "" && policies.ManagementPolicy != v1alpha1.ManagementPolicyObserveOnly {
			msg = fmt.Sprintf("%s %s, created by this resource, no longer exists on the platform: it was deleted outside the operator. The operator does not recreate it (it would get a new identity); delete this resource and apply it again to create a new one", e.Noun, id)
		}
		setState(obj, state{reason: ReasonNotFound, stalled: true, message: msg})
		return e.resync(obj), nil
	}

	if policies.ManagementPolicy == v1alpha1.ManagementPolicyObserveOnly {
		msg := fmt.Sprintf("observing %s %s (ObserveOnly: the operator never changes it)", e.Noun, id)
		if !obs.UpToDate {
			msg += "; it differs from the spec: " + obs.Diff
		}
		if obs.UpToDate {
			markSynced(obj, time.Now())
		}
		setState(obj, state{ready: true, reason: ReasonObserved, message: msg})
		return e.resync(obj), nil
	}

	if !obs.UpToDate {
		setState(obj, state{reason: ReasonUpdating, reconciling: true, message: fmt.Sprintf("updating %s %s: %s", e.Noun, id, obs.Diff)})
		result, err := ext.Update(ctx, obj, id, obs)
		if err != nil {
			return e.fail(ctx, obj, ReasonUpdateFailed, "Update", fmt.Sprintf("updating %s %s", e.Noun, id), err, "")
		}
		e.event(obj, corev1.EventTypeNormal, EventUpdated, "Update", "updated %s %s: %s%s", e.Noun, id, obs.Diff, requestIDSuffix(result.RequestID))
	}
	markSynced(obj, time.Now())
	setState(obj, state{ready: true, reason: ReasonAvailable, message: fmt.Sprintf("%s %s exists and matches the spec", e.Noun, id)})
	return e.resync(obj), nil
}

// finalize deletes the external product (or lets it be) and then releases the object.
// gone reports that the finalizer was removed, so the object may no longer exist.
func (e *Engine[T, P]) finalize(ctx context.Context, obj T) (res ctrl.Result, gone bool, err error) {
	if !controllerutil.ContainsFinalizer(obj, v1alpha1.Finalizer) || e.released.has(obj.GetUID()) {
		return ctrl.Result{}, true, nil
	}
	policies := obj.GetLifecyclePolicies()
	id := obj.GetAnnotations()[v1alpha1.ExternalIDAnnotation]
	if id == "" {
		id = obj.GetSpecExternalID()
	}
	_, pending := obj.GetAnnotations()[v1alpha1.CreatePendingAnnotation]

	// None of these needs credentials or an API call.
	switch {
	case policies.DeletionPolicy == v1alpha1.DeletionPolicyOrphan:
		return e.release(ctx, obj, EventOrphaned, "deletionPolicy is Orphan: %s %s stays on the platform", e.Noun, orNone(id))
	case policies.ManagementPolicy == v1alpha1.ManagementPolicyObserveOnly:
		return e.release(ctx, obj, EventOrphaned, "managementPolicy is ObserveOnly: %s %s stays on the platform", e.Noun, orNone(id))
	case lostIdentity(obj) != "":
		return e.stall(obj, ReasonIdentityLost, "Delete", e.identityLost(obj, lostIdentity(obj))), false, nil
	case id == "" && !pending:
		return e.release(ctx, obj, EventNothingToDelete, "no %s was ever created for this resource", e.Noun)
	case e.NothingCreated != nil && e.NothingCreated(obj):
		return e.release(ctx, obj, EventNothingToDelete, "nothing was ever pushed to %s %s, so there is nothing to delete", e.Noun, orNone(id))
	}
	if id != "" {
		if held, res, gone, err := e.leaveToHolder(ctx, obj, id); held {
			return res, gone, err
		}
	}
	// Only now, when the product would be deleted, is it worth asking the API server.
	uninstall, err := e.crdBeingDeleted(ctx, obj.GetUID())
	if err == nil {
		e.crdRefused.clear()
	} else {
		doing := fmt.Sprintf("checking whether CustomResourceDefinition %s is being deleted (an uninstall leaves the %s on the platform)", e.CRDName, e.Noun)
		if !apierrors.IsForbidden(err) {
			e.crdRefused.clear()
		} else if e.crdRefused.lasting(time.Now()) {
			// Refused for crdRefusalGrace: only a person can grant the permission now.
			metrics.RecordDeletion(metrics.KindOf(obj), metrics.DeletionFailed)
			return e.stall(obj, ReasonDeleteFailed, "Delete", fmt.Sprintf(
				"%s: %v; the operator's RBAC must allow get on customresourcedefinitions named %s (config/rbac, the Helm chart)%s",
				doing, err, e.CRDName, orphanHint)), false, nil
		}
		res, err := e.fail(ctx, obj, ReasonDeleteFailed, "Delete", doing, err, orphanHint)
		return res, false, err
	}
	if uninstall {
		return e.release(ctx, obj, EventOrphaned, "CustomResourceDefinition %s is being deleted (an uninstall): %s %s stays on the platform", e.CRDName, e.Noun, orNone(id))
	}

	ext, h := e.connect(ctx, obj, orphanHint)
	if h != nil {
		return h.res, false, h.err
	}
	if id == "" {
		found, ok, err := ext.Lookup(ctx, obj)
		if err != nil {
			res, err := e.fail(ctx, obj, ReasonDeleteFailed, "Delete", fmt.Sprintf("looking up the %s an interrupted create may have made", e.Noun), err, orphanHint)
			return res, false, err
		}
		if !ok {
			return e.release(ctx, obj, EventNothingToDelete, "the interrupted create made no %s", e.Noun)
		}
		if held, res, gone, err := e.leaveToHolder(ctx, obj, found); held {
			return res, gone, err
		}
		id = found
	}

	setState(obj, state{reason: ReasonDeleting, reconciling: true, message: fmt.Sprintf("deleting %s %s", e.Noun, id)})
	result, err := ext.Delete(ctx, obj, id)
	var guarded *DeletionGuardedError
	switch {
	case errors.As(err, &guarded):
		setState(obj, state{reason: guarded.conditionReason(), stalled: true, message: guarded.Reason})
		e.event(obj, corev1.EventTypeWarning, guarded.conditionReason(), "Delete", "%s", guarded.Reason)
		return ctrl.Result{RequeueAfter: jitter(e.SlowRetry)}, false, nil
	case apierr.Is(err, apierr.NotFound):
		return e.release(ctx, obj, EventDeleted, "%s %s was already gone from the platform%s", e.Noun, id, requestIDSuffix(apierr.RequestIDOf(err)))
	case err != nil:
		res, err := e.fail(ctx, obj, ReasonDeleteFailed, "Delete", fmt.Sprintf("deleting %s %s", e.Noun, id), err, orphanHint)
		return res, false, err
	case !result.Done && result.Progressed:
		setState(obj, state{reason: ReasonDeleting, reconciling: true, message: fmt.Sprintf("deleting %s %s: %s", e.Noun, id, result.Message)})
		return ctrl.Result{RequeueAfter: time.Millisecond}, false, nil
	case !result.Done:
		// Going on at once would repeat the same pass in a tight loop: back off as for a failure.
		res, err := e.fail(ctx, obj, ReasonDeleteFailed, "Delete", fmt.Sprintf("deleting %s %s", e.Noun, id), fmt.Errorf("no progress: %s%s", result.Message, orphanHint), orphanHint)
		return res, false, err
	}
	detail := ""
	if result.Message != "" {
		detail = " (" + result.Message + ")"
	}
	return e.release(ctx, obj, EventDeleted, "deleted %s %s from the platform%s%s", e.Noun, id, detail, requestIDSuffix(result.RequestID))
}

const orphanHint = "; to let the resource go and leave the product on the platform, set spec.deletionPolicy to Orphan"

// release removes the finalizer after saying, in an event, why the object may go.
func (e *Engine[T, P]) release(ctx context.Context, obj T, reason releaseReason, format string, args ...any) (ctrl.Result, bool, error) {
	// The event goes first: once the finalizer is gone the object may vanish, and an operator
	// killed in that moment would leave the deletion unreported. (A failed finalizer removal
	// is retried; its event may then be said twice, which is the lesser harm.)
	e.event(obj, corev1.EventTypeNormal, string(reason), "Delete", format, args...)
	removeFinalizer := func(o T) { controllerutil.RemoveFinalizer(o, v1alpha1.Finalizer) }
	err := patchMetadata(ctx, e.Client, obj, removeFinalizer)
	if apierrors.IsConflict(err) {
		// The cached copy is behind the API server, most often by this deletion's own status
		// write of a moment ago: remove the finalizer from the object as it is now, under its
		// own lock, rather than fail and come back after a backoff.
		if err = takeLiveMetadata(ctx, e.APIReader, obj, e.NewObject()); err == nil {
			err = patchMetadata(ctx, e.Client, obj, removeFinalizer)
		}
	}
	if client.IgnoreNotFound(err) != nil {
		return ctrl.Result{}, false, fmt.Errorf("removing finalizer: %w", err)
	}
	e.released.add(obj.GetUID())
	result := metrics.DeletionCompleted
	switch reason {
	case EventOrphaned:
		result = metrics.DeletionOrphaned
	case EventNothingToDelete:
		result = metrics.DeletionNothingToDelete
	}
	metrics.RecordDeletion(metrics.KindOf(obj), result)
	log.FromContext(ctx).Info("released", "reason", reason, "detail", fmt.Sprintf(format, args...))
	return ctrl.Result{}, true, nil
}

// fail reports a failed platform call. What the engine does next follows the error's class:
// a failure only a person can fix (credentials, permission, invalid input) is Stalled and
// retried slowly without an error, so it never hot-loops; anything else is Reconciling and
// returned as an error, so the workqueue retries it with exponential backoff.
func (e *Engine[T, P]) fail(ctx context.Context, obj T, reason, action, doing string, err error, hint string) (ctrl.Result, error) {
	class := apierr.ClassOf(err)
	if class == apierr.Throttled {
		return e.waitOutThrottling(obj, reason, doing, err)
	}
	// Throttling above is not a failure; anything else that stops a deletion is.
	if action == "Delete" {
		metrics.RecordDeletion(metrics.KindOf(obj), metrics.DeletionFailed)
	}
	msg := fmt.Sprintf("%s: %v", doing, err)
	var refused *SpecRefusedError
	if errors.As(err, &refused) {
		return e.stall(obj, refused.Reason, action, msg+hint), nil
	}
	if class.Terminal() {
		return e.stall(obj, reason, action, msg+terminalAdvice(class)+hint), nil
	}
	failed := fmt.Errorf("%s %s/%s: %w", action, obj.GetNamespace(), obj.GetName(), err)
	reported := reportedIn(ctx)
	if since, again := repeatsFailure(reported, obj.GetGeneration(), reason, fmt.Sprintf("%s: %s%s", doing, withoutRequestID(err), retryingWords)); again {
		// The status already says this, in these words: it keeps them, with the RequestId
		// of the first such answer (each answer's is in the manager's log), and the warning
		// already raised stands for this retry until Ready has been False failureReminder. Each
		// retry of each object writing its status and an event again made an outage of the
		// platform thousands of API writes a minute, when the deletions need the API server.
		keepConditions(obj, reported)
		if time.Since(since) >= failureReminder {
			e.event(obj, corev1.EventTypeWarning, reason, action, "%s", msg)
		}
		return ctrl.Result{}, failed
	}
	setState(obj, state{reason: reason, reconciling: true, message: msg + retryingWords})
	e.event(obj, corev1.EventTypeWarning, reason, action, "%s", msg)
	return ctrl.Result{}, failed
}

// retryingWords end the message of a failure that is retried with backoff.
const retryingWords = "; retrying with backoff"

// failureReminder is how long Ready may have been False (since its LastTransitionTime,
// which marks when Ready turned False, not when this failure began) before the retries of a
// failure with the same answer raise the warning again (at most once per backoff, which grows to
// --retry-max-delay, 5 minutes by default): an event lives an hour on the API server, and
// `kubectl describe` of an object failing for longer should still show why.
const failureReminder = 5 * time.Minute

// requestIDWords is how a platform error's text names its RequestId (apierr.Error).
var requestIDWords = regexp.MustCompile(` \(RequestId [^)]*\)`)

// repeatsFailure reports whether the status the reconcile began with (reported) already
// says the retried failure reason with this message (which has no RequestId) for generation
// gen, and since when Ready has been False. The status in hand may already say something
// else: a deletion says "Deleting" before its call.
func repeatsFailure(reported *v1alpha1.CommonStatus, gen int64, reason, message string) (time.Time, bool) {
	if reported == nil || reported.ObservedGeneration != gen {
		return time.Time{}, false
	}
	ready := meta.FindStatusCondition(reported.Conditions, v1alpha1.ConditionReady)
	reconciling := meta.FindStatusCondition(reported.Conditions, v1alpha1.ConditionReconciling)
	if ready == nil || reconciling == nil ||
		ready.Status != metav1.ConditionFalse || ready.Reason != reason || ready.ObservedGeneration != gen ||
		reconciling.Status != metav1.ConditionTrue || reconciling.Reason != reason {
		return time.Time{}, false
	}
	return ready.LastTransitionTime.Time, requestIDWords.ReplaceAllString(ready.Message, "") == message
}

// reportedKey carries the status a reconcile began with, as the API server last stored it
// (as far as the cache knows), to the failure that may only repeat it.
type reportedKey struct{}

func withReported(ctx context.Context, st *v1alpha1.CommonStatus) context.Context {
	return context.WithValue(ctx, reportedKey{}, st)
}

func reportedIn(ctx context.Context) *v1alpha1.CommonStatus {
	st, _ := ctx.Value(reportedKey{}).(*v1alpha1.CommonStatus)
	return st
}

// stall reports a failure that only a person can fix (Stalled, with a warning event) and
// comes back after SlowRetry; the change that fixes it usually triggers a reconcile sooner.
func (e *Engine[T, P]) stall(obj T, reason, action, msg string) ctrl.Result {
	setState(obj, state{reason: reason, stalled: true, message: msg})
	e.event(obj, corev1.EventTypeWarning, reason, action, "%s", msg)
	return ctrl.Result{RequeueAfter: jitter(e.SlowRetry)}
}

// waitOutThrottling keeps the work in progress after the platform's rate limit answered or
// the client's budget was spent: the Ready reason stays the one of the work under way, no
// warning is raised, and the reconcile comes back after the wait the error names (else
// ThrottleWait) without counting as an error.
func (e *Engine[T, P]) waitOutThrottling(obj T, failReason, doing string, err error) (ctrl.Result, error) {
	retry := ctrl.Result{RequeueAfter: jitter(e.ThrottleWait)}
	if after := apierr.RetryAfterOf(err); after > 0 {
		// The client said when its budget refills (or what the platform asked): the worker
		// goes back to the queue until then instead of waiting in the call.
		retry.RequeueAfter = jitterUp(after)
	}
	if failReason == ReasonObserveFailed && readyAtThisGeneration(obj) {
		// A throttled read learnt nothing: the object was Ready at this generation and
		// still is, as far as anyone knows. Rewriting the status would turn Ready False and
		// back for a moment and make every throttled resync two status writes. (A status
		// that reports a problem is rewritten: the problem may be gone.)
		return retry, nil
	}
	// The same wait is said in the same words at every pass, so only the first writes the
	// status: an object throttled for minutes (feeds sharing an account's budget of 60 calls
	// a minute) would otherwise be written whole at each pass.
	setState(obj, state{reason: inProgressReason(failReason), reconciling: true, message: fmt.Sprintf(
		"%s: the platform asked to slow down (%s); waiting before the next call", doing, withoutRequestID(err))})
	return retry, nil
}

// withoutRequestID is err's text without the platform's RequestId, which differs at each call.
func withoutRequestID(err error) string {
	var e *apierr.Error
	if !errors.As(err, &e) || e.RequestID == "" {
		return err.Error()
	}
	return strings.Replace(err.Error(), " (RequestId "+e.RequestID+")", "", 1)
}

// readyAtThisGeneration reports that obj's status says Ready=True of its current generation.
func readyAtThisGeneration(obj Managed) bool {
	st := obj.GetCommonStatus()
	ready := meta.FindStatusCondition(st.Conditions, v1alpha1.ConditionReady)
	return ready != nil && ready.Status == metav1.ConditionTrue &&
		st.ObservedGeneration == obj.GetGeneration() && ready.ObservedGeneration == obj.GetGeneration()
}

// inProgressReason is the Ready reason of the work a failure reason belongs to.
func inProgressReason(failReason string) string {
	switch failReason {
	case ReasonCreateFailed:
		return ReasonCreating
	case ReasonUpdateFailed:
		return ReasonUpdating
	case ReasonDeleteFailed:
		return ReasonDeleting
	}
	return failReason
}

func terminalAdvice(class apierr.Class) string {
	if class == apierr.TerminalAuth {
		return "; the platform refused the credentials or their permissions: fix the credentials Secret (or the operator's own credentials) or the account's grants"
	}
	return "; the platform refused the request as invalid: fix the spec"
}

func (e *Engine[T, P]) recordIdentity(ctx context.Context, obj T, id string) error {
	err := patchMetadata(ctx, e.Client, obj, func(o T) {
		setAnnotation(o, v1alpha1.ExternalIDAnnotation, id)
		removeAnnotation(o, v1alpha1.CreatePendingAnnotation)
	})
	if err != nil {
		return fmt.Errorf("recording external identity %s: %w", id, err)
	}
	return nil
}

func (e *Engine[T, P]) clearPending(ctx context.Context, obj T) error {
	if err := patchMetadata(ctx, e.Client, obj, func(o T) { removeAnnotation(o, v1alpha1.CreatePendingAnnotation) }); err != nil {
		return fmt.Errorf("clearing create-pending: %w", err)
	}
	return nil
}

func (e *Engine[T, P]) resync(obj T) ctrl.Result {
	period := e.resyncPeriod(obj)
	if period <= 0 {
		return ctrl.Result{}
	}
	return ctrl.Result{RequeueAfter: jitter(period)}
}

// resyncPeriod is how often obj's product is read again: its own poll interval, else the
// sync period; 0 for never.
func (e *Engine[T, P]) resyncPeriod(obj T) time.Duration {
	if e.PollInterval != nil {
		if own := e.PollInterval(obj); own > 0 {
			return own
		}
	}
	return e.SyncPeriod
}

func (e *Engine[T, P]) event(obj T, eventType, reason, action, format string, args ...any) {
	if e.Recorder != nil {
		e.Recorder.Eventf(obj, nil, eventType, reason, action, format, args...)
	}
}

// jitter spreads periodic work by up to 10% so that thousands of objects created together
// do not all call the platform in the same second.
func jitter(d time.Duration) time.Duration { return wait.Jitter(d, 0.1) }

// jitterUp spreads the retries of many objects waiting for one budget over a fifth of the
// wait, never earlier than it.
func jitterUp(d time.Duration) time.Duration { return wait.Jitter(d, 0.2) }

func requestIDSuffix(id string) string {
	if id == "" {
		return ""
	}
	return " (RequestId " + id + ")"
}

func orNone(id string) string {
	if id == "" {
		return "(none)"
	}
	return id
}
