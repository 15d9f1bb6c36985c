// Package widget is a third platform that exists only for tests: its API type (Widget), a
// tiny in-memory platform and its adapter, built the way docs/adding-a-platform.md says a
// platform is built. It runs on the unchanged engine and passes the engine's contract suite
// (enginetest.Run), which shows that the engine knows nothing of IoT products or feeds.
// It has no CRD: the suite's fake API server needs none, and make manifests skips it.
// +kubebuilder:skip
package widget

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// GroupVersion is the test-only API group of Widgets.
var GroupVersion = schema.GroupVersion{Group: "widgets.test.prodlife.dev", Version: "v1"}

// AddToScheme adds Widget and WidgetList to a scheme.
func AddToScheme(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion, &Widget{}, &WidgetList{})
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}

// SecretKeyToken is the one key of a Widget's credentials Secret.
const SecretKeyToken = "token"

// Kind is Widget as the operator's shared parts list kinds (v1alpha1.Kinds).
var Kind = v1alpha1.Kind{
	Name: "Widget", Plural: "widgets",
	New:            func() client.Object { return &Widget{} },
	NewList:        func() client.ObjectList { return &WidgetList{} },
	CredentialKeys: []string{SecretKeyToken},
}

// Spec declares a widget: its name and colour on the platform.
type Spec struct {
	// Name can change: the adapter renames the widget.
	Name string `json:"name"`
	// Colour can change.
	Colour string `json:"colour,omitempty"`
	// ID adopts an existing widget.
	ID                   string                    `json:"id,omitempty"`
	CredentialsSecretRef *v1alpha1.SecretReference `json:"credentialsSecretRef,omitempty"`

	v1alpha1.LifecyclePolicies `json:",inline"`
}

// Status is what the operator last saw.
type Status struct {
	v1alpha1.CommonStatus `json:",inline"`
	ID                    string `json:"id,omitempty"`
}

// Widget is a widget on the test platform.
type Widget struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              Spec   `json:"spec"`
	Status            Status `json:"status,omitempty"`
}

// WidgetList is a list of Widgets.
type WidgetList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Widget `json:"items"`
}

// The accessors of engine.Managed, as api/v1alpha1/managed.go has them for the real kinds.

func (w *Widget) GetLifecyclePolicies() v1alpha1.LifecyclePolicies { return w.Spec.LifecyclePolicies }
func (w *Widget) GetCommonStatus() *v1alpha1.CommonStatus          { return &w.Status.CommonStatus }
func (w *Widget) GetSpecExternalID() string                        { return w.Spec.ID }
func (w *Widget) GetStatusExternalID() string                      { return w.Status.ID }
func (w *Widget) GetCredentialsSecretName() string {
	if w.Spec.CredentialsSecretRef == nil {
		return ""
	}
	return w.Spec.CredentialsSecretRef.Name
}

// DeepCopyObject copies w (written by hand: controller-gen generates the real kinds' copies).
func (w *Widget) DeepCopyObject() runtime.Object {
	out := *w
	w.DeepCopyInto(&out.ObjectMeta)
	if w.Spec.CredentialsSecretRef != nil {
		ref := *w.Spec.CredentialsSecretRef
		out.Spec.CredentialsSecretRef = &ref
	}
	w.Status.DeepCopyInto(&out.Status.CommonStatus)
	return &out
}

// DeepCopyObject copies l.
func (l *WidgetList) DeepCopyObject() runtime.Object {
	out := *l
	l.DeepCopyInto(&out.ListMeta)
	out.Items = make([]Widget, len(l.Items))
	for i := range l.Items {
		out.Items[i] = *l.Items[i].DeepCopyObject().(*Widget)
	}
	return &out
}
