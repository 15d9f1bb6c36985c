package iotproduct

// The kind's own grants (controllers/rbac.go has those every kind shares): the manager reads
// and finalizes IoTProducts and writes their status, and gets their CRD by name only, to tell
// an uninstall from the deletion of one resource.
//
// +kubebuilder:rbac:groups=prodlife.dev,resources=iotproducts,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=prodlife.dev,resources=iotproducts/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=prodlife.dev,resources=iotproducts/finalizers,verbs=update
// +kubebuilder:rbac:groups=apiextensions.k8s.io,resources=customresourcedefinitions,verbs=get,resourceNames=iotproducts.prodlife.dev
