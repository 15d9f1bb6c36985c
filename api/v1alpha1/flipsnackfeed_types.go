package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// Limits of one FlipsnackFeed. Every namespace user may write feeds and ConfigMaps, so each
// thing the operator reads on a feed's behalf is bounded: no feed can exhaust the manager's
// memory or make a status the API server cannot store. The field docs (kubectl explain) and
// README's FlipsnackFeed section state the same numbers.
const (
	// MaxFeedProducts is the most products a feed may hold, spec.products and every
	// productsFrom ConfigMap together. The record of 10,000 pushed products takes about 350 KB
	// of status, well under the API server's object size limit (about 1.5 MiB).
	MaxFeedProducts = 10000
	// MaxSpecProducts is the most products spec.products may list (its maxItems): a feed
	// object must stay under the API server's object size limit; more go in ConfigMaps.
	MaxSpecProducts = 2000
	// MaxProductsSources is the most ConfigMaps spec.productsFrom may name (its maxItems).
	MaxProductsSources = 20
	// MaxProductsSourceBytes is the largest ConfigMap value (the JSON array under the key
	// named) the operator reads. With MaxProductsSources it bounds what one reconcile parses.
	MaxProductsSourceBytes = 512 * 1024
	// MaxProductFields is the most fields one product may have: the platform knows about a
	// dozen, and each field costs an entry in the record of pushed products.
	MaxProductFields = 64
	// MaxSKULength is the longest SKU (code), in characters.
	MaxSKULength = 128
)

// FeedProduct is one product of a Flipsnack feed. Field names follow Kubernetes conventions;
// the operator sends them under the platform's names (image_link, sell_price, ...).
type FeedProduct struct {
	// code is the product's SKU, unique within the feed: 1 to 128 characters, none of them
	// a comma (products.delete lists SKUs separated by commas) or any Unicode space, control
	// or invisible format character (classes Z and C: space, tab, newline, vertical tab,
	// no-break space U+00A0, line and paragraph separators U+2028/U+2029, zero-width space
	// U+200B, byte order mark U+FEFF, ...). The SKU is sent to the platform exactly as
	// written, and such characters would make two different SKUs look alike.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:XValidation:rule=`!self.matches(r'[,\p{Z}\p{C}]')`,message="code (the SKU) must not contain a comma, a space of any kind (also a no-break space U+00A0 or a line separator U+2028), or a control or invisible format character (tab, newline, vertical tab, zero-width space U+200B, U+FEFF)"
	// +required
	Code string `json:"code"`

	// type of the product as the platform knows it, e.g. product.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +required
	Type string `json:"type"`

	// title shown in the catalogue.
	// +kubebuilder:validation:MaxLength=512
	// +optional
	Title string `json:"title,omitempty"`

	// description shown in the catalogue.
	// +kubebuilder:validation:MaxLength=5000
	// +optional
	Description string `json:"description,omitempty"`

	// imageLink is the URL of the product's image.
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:Pattern=`^https?://`
	// +optional
	ImageLink string `json:"imageLink,omitempty"`

	// sellPrice as a decimal number, e.g. "19.99".
	// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]+)?$`
	// +kubebuilder:validation:MaxLength=32
	// +optional
	SellPrice string `json:"sellPrice,omitempty"`

	// discountPrice as a decimal number, e.g. "14.99".
	// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]+)?$`
	// +kubebuilder:validation:MaxLength=32
	// +optional
	DiscountPrice string `json:"discountPrice,omitempty"`

	// currency as an ISO 4217 code, e.g. EUR.
	// +kubebuilder:validation:Pattern=`^[A-Z]{3}$`
	// +optional
	Currency string `json:"currency,omitempty"`

	// quantity in stock.
	// +kubebuilder:validation:Minimum=0
	// +optional
	Quantity *int64 `json:"quantity,omitempty"`

	// website is the product's call to action.
	// +optional
	Website *FeedProductWebsite `json:"website,omitempty"`

	// variants of the product, each with its own SKU.
	// +listType=map
	// +listMapKey=code
	// +kubebuilder:validation:MaxItems=100
	// +optional
	Variants []FeedProductVariant `json:"variants,omitempty"`
}

// FeedProductWebsite is the link a catalogue reader follows to buy the product.
type FeedProductWebsite struct {
	// button shows the button when true.
	// +optional
	Button *bool `json:"button,omitempty"`

	// buttonLabel is the button's text.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	ButtonLabel string `json:"buttonLabel,omitempty"`

	// link is the URL the button opens.
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:Pattern=`^https?://`
	// +optional
	Link string `json:"link,omitempty"`
}

// FeedProductVariant is a variant (size, colour, ...) of a product.
type FeedProductVariant struct {
	// code is the variant's SKU, under the same rules as a product's code: 1 to 128
	// characters, no comma, no Unicode space, control or invisible format character.
	// (A pattern, not a CEL rule with a friendlier message: 2,000 products of 100 variants
	// each would exceed the API server's CEL cost budget.)
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:Pattern=`^[^,\p{Z}\p{C}]+$`
	// +required
	Code string `json:"code"`

	// title of the variant.
	// +kubebuilder:validation:MaxLength=512
	// +optional
	Title string `json:"title,omitempty"`

	// sellPrice of the variant as a decimal number.
	// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]+)?$`
	// +kubebuilder:validation:MaxLength=32
	// +optional
	SellPrice string `json:"sellPrice,omitempty"`

	// imageLink of the variant.
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:Pattern=`^https?://`
	// +optional
	ImageLink string `json:"imageLink,omitempty"`
}

// ConfigMapProducts names a ConfigMap key whose value is a JSON array of products, written
// with the platform's field names (type, code, title, image_link, sell_price, ...). The value
// may be at most 512 KiB (524,288 bytes), each product at most 64 fields; every code (and
// every variant's code) follows the rules of spec.products[].code. A value that breaks them
// is refused whole, nothing of it pushed, with a Stalled condition naming the ConfigMap, the
// product's index and the reason.
type ConfigMapProducts struct {
	// name of the ConfigMap, in the feed's namespace.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`

	// key in the ConfigMap's data holding the JSON array.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Key string `json:"key"`
}

// ProductsSource is a place outside the feed object that holds more of its products, so a
// catalogue of tens of thousands of SKUs does not have to fit in one object.
type ProductsSource struct {
	// configMap holds a JSON array of products.
	// +required
	ConfigMap ConfigMapProducts `json:"configMap"`
}

// FlipsnackFeedSpec declares a Flipsnack product feed: a sourceHash and the products under it.
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.sourceHash) || (has(self.sourceHash) && self.sourceHash == oldSelf.sourceHash)",message="sourceHash can be set once and never changed or removed"
type FlipsnackFeedSpec struct {
	// sourceHash identifies the feed on the platform: at most 64 letters, digits, '-', '_' or
	// '.'. Leave it out to let the operator choose one (shown in status.sourceHash); set it
	// to adopt an existing feed. It can be set once and never changed.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9._-]+$`
	// +optional
	SourceHash string `json:"sourceHash,omitempty"`

	// products of the feed, keyed by SKU (code): the API server refuses duplicate SKUs. At
	// most 2,000 here; more go in productsFrom. A feed holds at most 10,000 products in all,
	// spec and ConfigMaps together: above that it is Stalled ("too many products") and
	// nothing is pushed.
	// +listType=map
	// +listMapKey=code
	// +kubebuilder:validation:MaxItems=2000
	// +optional
	Products []FeedProduct `json:"products,omitempty"`

	// productsFrom adds products kept in ConfigMaps of this namespace; a change to one of
	// them is pushed like a change to the spec. At most 20 ConfigMaps, each value at most
	// 512 KiB, and at most 10,000 products in the feed in all.
	// +kubebuilder:validation:MaxItems=20
	// +listType=atomic
	// +optional
	ProductsFrom []ProductsSource `json:"productsFrom,omitempty"`

	// credentialsSecretRef names a Secret in this namespace with keys apiKey and apiSecret.
	// +required
	CredentialsSecretRef SecretReference `json:"credentialsSecretRef"`

	LifecyclePolicies `json:",inline"`
}

// FlipsnackFeedStatus is what the operator last pushed. The platform has no read action, so
// changes made to the feed outside the operator cannot be seen.
type FlipsnackFeedStatus struct {
	CommonStatus `json:",inline"`

	// sourceHash is the feed's identity on the platform.
	// +optional
	SourceHash string `json:"sourceHash,omitempty"`

	// productsPushed is how many products the platform has from this feed.
	// +optional
	ProductsPushed int64 `json:"productsPushed,omitempty"`

	// productsPendingDeletion is how many pushed products still have to be deleted.
	// +optional
	ProductsPendingDeletion int64 `json:"productsPendingDeletion,omitempty"`

	// productsDeleted counts the products deleted so far while the feed is being deleted,
	// so progress reads "deleted 1,500 of 10,000 products".
	// +optional
	ProductsDeleted int64 `json:"productsDeleted,omitempty"`

	// pushed is the operator's record of what the platform has from this feed: every pushed
	// SKU with a hash of each of its fields, gzip-compressed (base64 in JSON). It is what
	// lets the operator send only the difference and delete every pushed SKU, also after a
	// restart. It is not meant to be read by people. The operator writes at most 768 KiB
	// (compressed) and reads at most 8 MiB once decompressed, 50,000 SKUs; a feed whose
	// record would not fit, or a status.pushed beyond these bounds, is Stalled with a message.
	// +optional
	Pushed []byte `json:"pushed,omitempty"`

	// drift says what the operator cannot see: Flipsnack has no read action, so changes
	// made to the feed outside the operator are not detected.
	// +optional
	Drift string `json:"drift,omitempty"`
}

// FlipsnackFeed is a Flipsnack product feed whose products the operator pushes and, through
// a finalizer, deletes from the platform.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=fsfeed,categories=prodlife
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="SourceHash",type=string,JSONPath=`.status.sourceHash`
// +kubebuilder:printcolumn:name="Pushed",type=integer,JSONPath=`.status.productsPushed`,priority=1
// +kubebuilder:printcolumn:name="Message",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].message`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type FlipsnackFeed struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec FlipsnackFeedSpec `json:"spec"`
	// +optional
	Status FlipsnackFeedStatus `json:"status,omitempty"`
}

// FlipsnackFeedList is a list of FlipsnackFeeds.
// +kubebuilder:object:root=true
type FlipsnackFeedList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []FlipsnackFeed `json:"items"`
}

func init() {
	SchemeBuilder.Register(&FlipsnackFeed{}, &FlipsnackFeedList{})
}
