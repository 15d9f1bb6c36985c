package faults

import (
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/types"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// tracked is what the suite remembers of an object once it is Ready: enough to find its
// product on the platforms and its events after the object is gone.
type tracked struct {
	kind, namespace, name string
	uid                   types.UID
	// id is the external identity: the IoT ProductKey or the feed's sourceHash.
	id          string
	productName string   // IoT
	skus        []string // feed: the SKUs of its spec, sorted
	// inDeletedNamespace: its namespace is deleted whole, and its events go with it.
	inDeletedNamespace bool
}

func (o tracked) String() string {
	return fmt.Sprintf("%s %s/%s (%s)", o.kind, o.namespace, o.name, o.id)
}

// track records the view's objects; those in deletedNamespace lose their events with it.
func track(v view, deletedNamespace string) []tracked {
	var out []tracked
	for _, p := range v.iot {
		out = append(out, tracked{kind: "IoTProduct", namespace: p.Namespace, name: p.Name, uid: p.UID,
			id: p.Annotations[v1alpha1.ExternalIDAnnotation], productName: p.Spec.ProductName,
			inDeletedNamespace: p.Namespace == deletedNamespace})
	}
	for _, f := range v.feeds {
		o := tracked{kind: "FlipsnackFeed", namespace: f.Namespace, name: f.Name, uid: f.UID,
			id: f.Annotations[v1alpha1.ExternalIDAnnotation], inDeletedNamespace: f.Namespace == deletedNamespace}
		for _, p := range f.Spec.Products {
			o.skus = append(o.skus, p.Code)
		}
		slices.Sort(o.skus)
		out = append(out, o)
	}
	return out
}
