package iotproduct

import (
	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
)

// ShareStrings makes an IoTProduct on its way into the cache share the strings it has in
// common with the others (controllers/engine/intern.go says why): the spec's enumerations
// and the strings most products repeat. Names and product keys are left alone. Objects of
// other kinds are left as they are.
func ShareStrings(obj any) {
	p, ok := obj.(*v1alpha1.IoTProduct)
	if !ok {
		return
	}
	engine.InternManaged(&p.ObjectMeta, &p.Spec.LifecyclePolicies, &p.Status.CommonStatus)
	s := &p.Spec
	engine.Intern(&s.Description)
	engine.InternAs(&s.NodeType)
	engine.InternAs(&s.DataFormat)
	engine.InternAs(&s.AuthType)
	engine.Intern(&s.ProtocolType)
	engine.Intern(&s.NetType)
	engine.Intern(&s.IotInstanceID)
	engine.Intern(&s.Region)
	if s.CredentialsSecretRef != nil {
		engine.Intern(&s.CredentialsSecretRef.Name)
	}
	engine.InternAs(&s.DeletionGuard)
	engine.Intern(&p.Status.ProductStatus)
	engine.Intern(&p.Status.CredentialsFingerprint)
}
