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

// Intern replaces *s by the canonical copy of its value.
func Intern(s *string) {
	if *s != "" {
		*s = unique.Make(*s).Value()
	}
}

// InternAs is Intern for the API's string enumerations.
func InternAs[S ~string](s *S) {
	v := string(*s)
	Intern(&v)
	*s = S(v)
}

// InternManaged makes what every kind has in common share its strings: the namespace, the
// finalizers, the lifecycle policies and the conditions. A kind's own ShareStrings calls it,
// then interns its own fields.
func InternManaged(m *metav1.ObjectMeta, p *v1alpha1.LifecyclePolicies, s *v1alpha1.CommonStatus) {
	internMeta(m)
	internLifecyclePolicies(p)
	internCommonStatus(s)
}

func internMeta(m *metav1.ObjectMeta) {
	Intern(&m.Namespace)
	for i := range m.Finalizers {
		Intern(&m.Finalizers[i])
	}
}

func internLifecyclePolicies(p *v1alpha1.LifecyclePolicies) {
	InternAs(&p.ManagementPolicy)
	InternAs(&p.DeletionPolicy)
}

func internCommonStatus(s *v1alpha1.CommonStatus) {
	for i := range s.Conditions {
		c := &s.Conditions[i]
		Intern(&c.Type)
		InternAs(&c.Status)
		Intern(&c.Reason)
		Intern(&c.Message)
	}
}
