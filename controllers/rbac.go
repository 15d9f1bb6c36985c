// Package controllers wires the operator: SetupAll registers, in a manager, the lifecycle
// engine (controllers/engine) once per kind with that kind's adapter (controllers/iotproduct,
// controllers/flipsnackfeed), and the credentials controller. The arrows run one way: this
// package imports the kinds' packages, they import the engine, and the engine imports neither.
package controllers

// The manager's permissions, least privilege for the lifecycle contract: it reads and
// finalizes its own kinds, reads credentials Secrets and holds them with a finalizer while
// they are needed (update), reads product lists from ConfigMaps, and reports with events;
// it watches namespaces (metadata only) to explain a namespace deletion that deletion
// protection holds up; and it reads its own two CustomResourceDefinitions, by name only, to
// tell an uninstall (the CRD being deleted) from a deletion of one resource. The grant of
// `write` on prodlife.dev `identities` (no API resource: a name for the grant) is what the
// identity annotations policy asks RBAC for: it makes this identity the operator, the only
// one that may write prodlife.dev/external-id and prodlife.dev/create-pending.
//
// +kubebuilder:rbac:groups=prodlife.dev,resources=iotproducts;flipsnackfeeds,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=prodlife.dev,resources=iotproducts/status;flipsnackfeeds/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=prodlife.dev,resources=iotproducts/finalizers;flipsnackfeeds/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups="",resources=configmaps,verbs=get;list;watch
// +kubebuilder:rbac:groups="";events.k8s.io,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch
// +kubebuilder:rbac:groups=apiextensions.k8s.io,resources=customresourcedefinitions,verbs=get,resourceNames=iotproducts.prodlife.dev;flipsnackfeeds.prodlife.dev
// +kubebuilder:rbac:groups=prodlife.dev,resources=identities,verbs=write
