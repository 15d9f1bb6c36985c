package flipsnackfeed

// The kind's own grants (controllers/rbac.go has those every kind shares): the manager reads
// and finalizes FlipsnackFeeds and writes their status, and gets their CRD by name only, to tell
// an uninstall from the deletion of one resource.
//
// +kubebuilder:rbac:groups=prodlife.dev,resources=flipsnackfeeds,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=prodlife.dev,resources=flipsnackfeeds/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=prodlife.dev,resources=flipsnackfeeds/finalizers,verbs=update
// +kubebuilder:rbac:groups=apiextensions.k8s.io,resources=customresourcedefinitions,verbs=get,resourceNames=flipsnackfeeds.prodlife.dev
