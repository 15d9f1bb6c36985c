package engine

import (
	"unique"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// The JSON decoder gives every string of every object a copy of its own, though most of an
// IoTProduct's strings are the same in all of them: its namespace and finalizer, the spec's
// enumerations, the conditions' types, statuses, reasons and most messages. Objects on their
// way into the cache share one copy of each instead (test/bench/RESULTS.md measures what it
// saves per object held). unique keeps its canonical copies only while something refers to
// them, so strings no object shares anymore, or that a tenant made up, cost nothing after the
// next collection. Names, UIDs and product keys, different in every object, are left alone.

// intern replaces *s by the canonical copy of its value.
func intern(s *string) {
	if *s != "" {
		*s = unique.Make(*s).Value()
	}
}

// internAs is intern for the API's string enumerations.
func internAs[S ~string](s *S) {
	v := string(*s)
	intern(&v)
	*s = S(v)
}

// internShared makes obj share the strings it has in common with the other cached objects of
// its kind. Objects of other kinds go into the cache as they are.
func internShared(obj any) {
	switch o := obj.(type) {
	case *v1alpha1.IoTProduct:
		internMeta(&o.ObjectMeta)
		internIoTProductSpec(&o.Spec)
		internCommonStatus(&o.Status.CommonStatus)
		intern(&o.Status.ProductStatus)
		intern(&o.Status.CredentialsFingerprint)
	case *v1alpha1.FlipsnackFeed:
		internMeta(&o.ObjectMeta)
		internLifecyclePolicies(&o.Spec.LifecyclePolicies)
		intern(&o.Spec.CredentialsSecretRef.Name)
		internCommonStatus(&o.Status.CommonStatus)
		intern(&o.Status.DeletionProgress)
	}
}

func internMeta(m *metav1.ObjectMeta) {
	intern(&m.Namespace)
	for i := range m.Finalizers {
		intern(&m.Finalizers[i])
	}
}

func internIoTProductSpec(s *v1alpha1.IoTProductSpec) {
	intern(&s.Description)
	internAs(&s.NodeType)
	internAs(&s.DataFormat)
	internAs(&s.AuthType)
	intern(&s.ProtocolType)
	intern(&s.NetType)
	intern(&s.IotInstanceID)
	intern(&s.Region)
	if s.CredentialsSecretRef != nil {
		intern(&s.CredentialsSecretRef.Name)
	}
	internLifecyclePolicies(&s.LifecyclePolicies)
	internAs(&s.DeletionGuard)
}

func internLifecyclePolicies(p *v1alpha1.LifecyclePolicies) {
	internAs(&p.ManagementPolicy)
	internAs(&p.DeletionPolicy)
}

func internCommonStatus(s *v1alpha1.CommonStatus) {
	for i := range s.Conditions {
		c := &s.Conditions[i]
		intern(&c.Type)
		internAs(&c.Status)
		intern(&c.Reason)
		intern(&c.Message)
	}
}
