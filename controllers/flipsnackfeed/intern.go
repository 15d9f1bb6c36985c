package flipsnackfeed

import (
	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
)

// ShareStrings makes a FlipsnackFeed on its way into the cache share the strings it has in
// common with the others (controllers/engine/intern.go says why). Objects of other kinds are
// left as they are.
func ShareStrings(obj any) {
	f, ok := obj.(*v1alpha1.FlipsnackFeed)
	if !ok {
		return
	}
	engine.InternManaged(&f.ObjectMeta, &f.Spec.LifecyclePolicies, &f.Status.CommonStatus)
	engine.Intern(&f.Spec.CredentialsSecretRef.Name)
	engine.Intern(&f.Status.DeletionProgress)
}
