package v1alpha1

import "sigs.k8s.io/controller-runtime/pkg/client"

// Kind is one kind of this API as the operator's shared parts need it: the credentials
// controller, the field indexes, the uninstall check and the metrics read the list Kinds
// rather than naming the kinds one by one, so adding a kind is one entry here (and its
// adapter). The YAML that cannot read it (admission policies, RBAC markers, the Argo CD
// health script) is checked against it by hack/verify.
// +kubebuilder:object:generate=false
type Kind struct {
	// Name is the kind, as in apiVersion/kind and the metrics' kind label.
	Name string
	// Plural is the resource name, as in RBAC rules and URLs.
	Plural string
	// New and NewList make an empty object and list of the kind.
	New     func() client.Object
	NewList func() client.ObjectList
	// CredentialKeys are the keys a credentials Secret of the kind must hold, each
	// non-empty: the credentials controller holds only Secrets that have every key of one
	// kind, and the kind's adapter reports the missing ones.
	CredentialKeys []string
}

// The keys of the credentials Secrets, as the kinds' credentialsSecretRef documents them.
const (
	SecretKeyAccessKeyID     = "accessKeyId"
	SecretKeyAccessKeySecret = "accessKeySecret"
	// SecretKeySecurityToken is optional: present with temporary (STS) credentials.
	SecretKeySecurityToken = "securityToken"
	SecretKeyAPIKey        = "apiKey"
	SecretKeyAPISecret     = "apiSecret"
)

// CRDName is the name of the kind's CustomResourceDefinition: plural.group.
func (k Kind) CRDName() string { return k.Plural + "." + GroupVersion.Group }

// Kinds are every kind the operator manages.
var Kinds = []Kind{
	{Name: "IoTProduct", Plural: "iotproducts",
		New: func() client.Object { return &IoTProduct{} }, NewList: func() client.ObjectList { return &IoTProductList{} },
		CredentialKeys: []string{SecretKeyAccessKeyID, SecretKeyAccessKeySecret}},
	{Name: "FlipsnackFeed", Plural: "flipsnackfeeds",
		New: func() client.Object { return &FlipsnackFeed{} }, NewList: func() client.ObjectList { return &FlipsnackFeedList{} },
		CredentialKeys: []string{SecretKeyAPIKey, SecretKeyAPISecret}},
}

// KindNamed returns the kind of Kinds with that name; a name that is not there is a
// programming error.
func KindNamed(name string) Kind {
	for _, k := range Kinds {
		if k.Name == name {
			return k
		}
	}
	panic("v1alpha1: no kind " + name)
}
