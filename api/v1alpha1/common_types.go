package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// ManagementPolicy says whether the operator may change the external product.
// +kubebuilder:validation:Enum=Manage;ObserveOnly
type ManagementPolicy string

const (
	// ManagementPolicyManage lets the operator create, update and delete the external product.
	ManagementPolicyManage ManagementPolicy = "Manage"
	// ManagementPolicyObserveOnly only reads the external product and reports it; it never writes.
	ManagementPolicyObserveOnly ManagementPolicy = "ObserveOnly"
)

// DeletionPolicy says what happens to the external product when the resource is deleted.
// +kubebuilder:validation:Enum=Delete;Orphan
type DeletionPolicy string

const (
	// DeletionPolicyDelete deletes the external product before the resource may go.
	DeletionPolicyDelete DeletionPolicy = "Delete"
	// DeletionPolicyOrphan leaves the external product on the platform.
	DeletionPolicyOrphan DeletionPolicy = "Orphan"
)

// SecretReference names a Secret in the resource's own namespace.
type SecretReference struct {
	// name of the Secret, in the same namespace as the resource.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`
}

// LifecyclePolicies are the policies every kind shares.
type LifecyclePolicies struct {
	// managementPolicy: Manage (default) creates, updates and deletes the external product;
	// ObserveOnly never writes to the platform and only reports what it sees.
	// +kubebuilder:default=Manage
	// +optional
	ManagementPolicy ManagementPolicy `json:"managementPolicy,omitempty"`

	// deletionPolicy: Delete (default) deletes the external product when this resource is
	// deleted; Orphan leaves it on the platform. It can be changed at any time, even while the
	// resource is being deleted: setting Orphan is the way out of a deletion that cannot succeed.
	// +kubebuilder:default=Delete
	// +optional
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`

	// deletionProtection: while true, the API server refuses to delete this resource (a
	// ValidatingAdmissionPolicy shipped with the operator), so a `kubectl delete` of the wrong
	// folder or a GitOps prune cannot remove the product. Set it to false first to delete on
	// purpose. A namespace holding a protected resource stays Terminating until it is cleared.
	// +kubebuilder:default=false
	// +optional
	DeletionProtection bool `json:"deletionProtection,omitempty"`
}

// CommonStatus is the status every kind reports, per the status contract.
type CommonStatus struct {
	// observedGeneration is the generation of the spec the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Ready (the external product exists and matches the spec), Reconciling
	// (work under way or being retried) and Stalled (only a person can unblock it).
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// lastHandledReconcileAt is the value of the annotation prodlife.dev/reconcile-requested-at
	// that the last reconcile handled: setting the annotation to a new value (a timestamp, say)
	// asks for a reconcile at once, with a fresh read of the platform, and this field says when
	// it has happened.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	LastHandledReconcileAt string `json:"lastHandledReconcileAt,omitempty"`

	// lastSyncTime is when the operator last saw the product on the platform match the spec
	// (after reading it back, creating it or updating it; a feed, which the platform cannot
	// read back, when its last push or check found nothing left to send). Ready says whether
	// it matches now; this says since when nobody has seen otherwise. It is rewritten at most
	// once a minute.
	// +optional
	LastSyncTime *metav1.Time `json:"lastSyncTime,omitempty"`
}
