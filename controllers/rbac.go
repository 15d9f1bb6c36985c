// Package controllers wires the operator: SetupAll registers, in a manager, the lifecycle
// engine (controllers/engine) once per kind with that kind's adapter (controllers/iotproduct,
// controllers/flipsnackfeed), and the credentials controller. The arrows run one way: this
// package imports the kinds' packages, they import the engine, and the engine imports neither.
package controllers

// The manager's permissions that every kind shares, least privilege for the lifecycle
// contract (each kind's package, its rbac.go, grants what concerns the kind alone: reading
// and finalizing its resources, getting its CRD by name): it reads credentials Secrets and
// holds them with a finalizer while they are needed (update), reads product lists from
// ConfigMaps, and reports with events; it watches namespaces (metadata only) to explain a
// namespace deletion that deletion protection holds up. The grant of `write` on prodlife.dev
// `identities` (no API resource: a name for the grant) is what the identity annotations
// policy asks RBAC for: it makes this identity the operator, the only one that may write
// prodlife.dev/external-id and prodlife.dev/create-pending.
//
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups="",resources=configmaps,verbs=get;list;watch
// +kubebuilder:rbac:groups="";events.k8s.io,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch
// +kubebuilder:rbac:groups=prodlife.dev,resources=identities,verbs=write
