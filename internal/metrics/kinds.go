package metrics

import (
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// kindScheme knows the project's kinds, to name them in labels: typed objects read from the
// API usually carry no apiVersion and kind of their own.
var kindScheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(v1alpha1.AddToScheme(s))
	return s
}()

// The values of the kind label are the names of v1alpha1.Kinds; these two are for tests.
var (
	KindIoTProduct    = KindOf(&v1alpha1.IoTProduct{})
	KindFlipsnackFeed = KindOf(&v1alpha1.FlipsnackFeed{})
)

// KindOf names obj's kind as the kind label says it: IoTProduct, FlipsnackFeed; "unknown"
// for anything else.
func KindOf(obj runtime.Object) string {
	gvk, err := apiutil.GVKForObject(obj, kindScheme)
	if err != nil {
		return "unknown"
	}
	return gvk.Kind
}
