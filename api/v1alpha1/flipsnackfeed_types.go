package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// Limits of one FlipsnackFeed. Every namespace user may write feeds and ConfigMaps, so each
// thing the operator reads on a feed's behalf is bounded: no feed can exhaust the manager's
// memory or make a status the API server cannot store. The field docs (kubectl explain) and
// docs/usage.md, "What happens to a FlipsnackFeed", state the same numbers.
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

// FeedProduct is one product of a Flipsnack feed: the platform's product object
// (developers.flipsnack.com, products/create and products/update), field for field. Field
// names follow Kubernetes conventions; the operator sends each under the platform's name
// (image_link, sell_price, ...) and with the platform's JSON type. Amounts are written as
// decimal strings ("19.99": Kubernetes objects avoid floating point) and sent as JSON numbers
// with exactly the digits written.
type FeedProduct struct {
	// code is the product's SKU (the platform's code, a string), unique within the feed: 1 to
	// 128 characters, none of them a comma (products.delete lists SKUs separated by commas)
	// or any Unicode space, control or invisible format character (classes Z and C: space,
	// tab, newline, vertical tab, no-break space U+00A0, line and paragraph separators
	// U+2028/U+2029, zero-width space U+200B, byte order mark U+FEFF, ...). The SKU is sent
	// to the platform exactly as written, and such characters would make two different SKUs
	// look alike.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:XValidation:rule=`!self.matches(r'[,\p{Z}\p{C}]')`,message="code (the SKU) must not contain a comma, a space of any kind (also a no-break space U+00A0 or a line separator U+2028), or a control or invisible format character (tab, newline, vertical tab, zero-width space U+200B, U+FEFF)"
	// +required
	Code string `json:"code"`

	// type is the product's type as the platform knows it (the platform's type, a string,
	// required), e.g. product.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +required
	Type string `json:"type"`

	// title is the product's name shown in the catalogue (title, a string).
	// +kubebuilder:validation:MaxLength=512
	// +optional
	Title string `json:"title,omitempty"`

	// description is the product's text shown in the catalogue (description, a string).
	// +kubebuilder:validation:MaxLength=5000
	// +optional
	Description string `json:"description,omitempty"`

	// imageLink is the URL of the product's image (image_link, a string).
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:Pattern=`^https?://`
	// +optional
	ImageLink string `json:"imageLink,omitempty"`

	// sellPrice is the product's price (sell_price, a JSON number), written as a decimal
	// string, e.g. "19.99", and sent as the number 19.99 with exactly these digits.
	// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]+)?$`
	// +kubebuilder:validation:MaxLength=32
	// +optional
	SellPrice string `json:"sellPrice,omitempty"`

	// currency of the prices (currency, a string), e.g. EUR: an ISO 4217 code.
	// +kubebuilder:validation:Pattern=`^[A-Z]{3}$`
	// +optional
	Currency string `json:"currency,omitempty"`

	// discountPrice is the reduced price (discount_price, a JSON number), written as a
	// decimal string, e.g. "14.99", and sent as a number.
	// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]+)?$`
	// +kubebuilder:validation:MaxLength=32
	// +optional
	DiscountPrice string `json:"discountPrice,omitempty"`

	// quantity says whether the reader may choose how many to buy (quantity, a JSON
	// boolean). It is not a stock count.
	// +optional
	Quantity *bool `json:"quantity,omitempty"`

	// purchasableQty bounds the quantity a reader may buy (purchasable_qty).
	// +optional
	PurchasableQty *FeedProductPurchasableQty `json:"purchasableQty,omitempty"`

	// attribute names up to three attributes of the product (size, colour, ...) and their
	// options (attribute); a variant picks one option of each.
	// +optional
	Attribute *FeedProductAttribute `json:"attribute,omitempty"`

	// imageAttribute names the attribute whose options change the product's image
	// (image_attribute, a string), e.g. the name1 of attribute.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	ImageAttribute string `json:"imageAttribute,omitempty"`

	// shopElement is how the product appears on the catalogue's page (shop_element, a
	// string, as the platform names its element styles).
	// +kubebuilder:validation:MaxLength=256
	// +optional
	ShopElement string `json:"shopElement,omitempty"`

	// areaElement styles the clickable area over the product on the page (area_element).
	// +optional
	AreaElement *FeedProductAreaElement `json:"areaElement,omitempty"`

	// shopButton styles the product's add-to-cart button (shop_button).
	// +optional
	ShopButton *FeedProductShopButton `json:"shopButton,omitempty"`

	// website is the product's call to action: a button linking to a page (website).
	// +optional
	Website *FeedProductWebsite `json:"website,omitempty"`

	// customizableProduct lets the reader personalise the product with a text, at a price
	// (customizable_product).
	// +optional
	CustomizableProduct *FeedProductCustomizable `json:"customizableProduct,omitempty"`

	// variants of the product, each with its own SKU, nested in their parent product as the
	// platform takes them (variants); each is sent with parent_code set to this product's
	// code.
	// +listType=map
	// +listMapKey=code
	// +kubebuilder:validation:MaxItems=100
	// +optional
	Variants []FeedProductVariant `json:"variants,omitempty"`
}

// FeedProductPurchasableQty is the smallest and largest quantity a reader may buy
// (purchasable_qty: min and max, JSON numbers).
type FeedProductPurchasableQty struct {
	// min is the smallest quantity one order may take (min, a JSON number).
	// +kubebuilder:validation:Minimum=0
	// +optional
	Min *int64 `json:"min,omitempty"`

	// max is the largest quantity one order may take (max, a JSON number).
	// +kubebuilder:validation:Minimum=0
	// +optional
	Max *int64 `json:"max,omitempty"`
}

// FeedProductAttribute names up to three attributes and lists their options (attribute:
// name1, options1, name2, options2, name3, options3, all strings).
type FeedProductAttribute struct {
	// name1 is the first attribute's name, e.g. Size (name1, a string).
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Name1 string `json:"name1,omitempty"`
	// options1 are the first attribute's options as one string, e.g. "S,M,L" (options1).
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	Options1 string `json:"options1,omitempty"`
	// name2 is the second attribute's name (name2, a string).
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Name2 string `json:"name2,omitempty"`
	// options2 are the second attribute's options as one string (options2).
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	Options2 string `json:"options2,omitempty"`
	// name3 is the third attribute's name (name3, a string).
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Name3 string `json:"name3,omitempty"`
	// options3 are the third attribute's options as one string (options3).
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	Options3 string `json:"options3,omitempty"`
}

// FeedProductAreaElement styles the clickable area over a product on the catalogue's page
// (area_element).
type FeedProductAreaElement struct {
	// tooltip is the text shown when the reader points at the area (tooltip, a string).
	// +kubebuilder:validation:MaxLength=512
	// +optional
	Tooltip string `json:"tooltip,omitempty"`
	// color of the area (color, a string), e.g. "#ff0000".
	// +kubebuilder:validation:MaxLength=64
	// +optional
	Color string `json:"color,omitempty"`
	// opacity of the area (opacity, a JSON number), written as a decimal string, e.g. "0.5".
	// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]+)?$`
	// +kubebuilder:validation:MaxLength=32
	// +optional
	Opacity string `json:"opacity,omitempty"`
}

// FeedProductShopButton styles a product's add-to-cart button (shop_button: color, label,
// label_color, all strings).
type FeedProductShopButton struct {
	// color of the button (color, a string), e.g. "#000000".
	// +kubebuilder:validation:MaxLength=64
	// +optional
	Color string `json:"color,omitempty"`
	// label is the button's text (label, a string).
	// +kubebuilder:validation:MaxLength=64
	// +optional
	Label string `json:"label,omitempty"`
	// labelColor is the colour of the button's text (label_color, a string).
	// +kubebuilder:validation:MaxLength=64
	// +optional
	LabelColor string `json:"labelColor,omitempty"`
}

// FeedProductWebsite is the link a catalogue reader follows to buy the product (website).
type FeedProductWebsite struct {
	// button shows the button when true (button, a JSON boolean).
	// +optional
	Button *bool `json:"button,omitempty"`

	// buttonLabel is the button's text (button_label, a string).
	// +kubebuilder:validation:MaxLength=64
	// +optional
	ButtonLabel string `json:"buttonLabel,omitempty"`

	// link is the URL the button opens (link, a string).
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:Pattern=`^https?://`
	// +optional
	Link string `json:"link,omitempty"`
}

// FeedProductCustomizable lets the reader personalise a product with a text
// (customizable_product).
type FeedProductCustomizable struct {
	// product makes the product customizable when true (product, a JSON boolean).
	// +optional
	Product *bool `json:"product,omitempty"`
	// instructions tell the reader what to write (instructions, a string).
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	Instructions string `json:"instructions,omitempty"`
	// flatFee is the price added for any personalisation (flat_fee, a JSON number), written
	// as a decimal string, e.g. "5.00".
	// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]+)?$`
	// +kubebuilder:validation:MaxLength=32
	// +optional
	FlatFee string `json:"flatFee,omitempty"`
	// perCharacter is the price added for each character written (per_character, a JSON
	// number), written as a decimal string, e.g. "0.10".
	// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]+)?$`
	// +kubebuilder:validation:MaxLength=32
	// +optional
	PerCharacter string `json:"perCharacter,omitempty"`
	// characterLength is the most characters the reader may write (character_length, a JSON
	// number).
	// +kubebuilder:validation:Minimum=0
	// +optional
	CharacterLength *int64 `json:"characterLength,omitempty"`
	// mandatory makes the personalisation required when true (mandatory, a JSON boolean).
	// +optional
	Mandatory *bool `json:"mandatory,omitempty"`
}

// FeedProductVariant is a variant (size, colour, ...) of a product, nested in it (variants[]:
// code, parent_code, image_link, visible, attribute, price, discount_price). Its parent_code
// is always the product's code, so it is not written here.
type FeedProductVariant struct {
	// code is the variant's SKU (code, a string), under the same rules as a product's code:
	// 1 to 128 characters, no comma, no Unicode space, control or invisible format character.
	// (A pattern, not a CEL rule with a friendlier message: 2,000 products of 100 variants
	// each would exceed the API server's CEL cost budget.)
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:Pattern=`^[^,\p{Z}\p{C}]+$`
	// +required
	Code string `json:"code"`

	// imageLink is the URL of the variant's image (image_link, a string).
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:Pattern=`^https?://`
	// +optional
	ImageLink string `json:"imageLink,omitempty"`

	// visible shows the variant in the catalogue when true (visible, a JSON boolean).
	// +optional
	Visible *bool `json:"visible,omitempty"`

	// attribute is the option of each of the product's attributes this variant is
	// (attribute: options1, options2, options3, strings), e.g. options1: M.
	// +optional
	Attribute *FeedVariantAttribute `json:"attribute,omitempty"`

	// price of the variant (price, a JSON number), written as a decimal string, e.g. "21.50".
	// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]+)?$`
	// +kubebuilder:validation:MaxLength=32
	// +optional
	Price string `json:"price,omitempty"`

	// discountPrice of the variant (discount_price, a JSON number), written as a decimal
	// string.
	// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]+)?$`
	// +kubebuilder:validation:MaxLength=32
	// +optional
	DiscountPrice string `json:"discountPrice,omitempty"`
}

// FeedVariantAttribute is the option a variant takes of each of its product's attributes.
type FeedVariantAttribute struct {
	// options1 is the variant's option of the product's first attribute (options1, a string).
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Options1 string `json:"options1,omitempty"`
	// options2 is the variant's option of the second attribute (options2, a string).
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Options2 string `json:"options2,omitempty"`
	// options3 is the variant's option of the third attribute (options3, a string).
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Options3 string `json:"options3,omitempty"`
}

// ConfigMapProducts names a ConfigMap key whose value is a JSON array of products, each the
// platform's product object with the platform's field names and JSON types (type, code,
// title, image_link, sell_price, quantity, purchasable_qty, attribute, variants, ...; see
// docs/usage.md, "What happens to a FlipsnackFeed"). A number field (sell_price, opacity, ...) takes a
// JSON number, or a string holding a decimal number ("19.99"), which is sent as that number;
// a boolean field takes only true or false. A field the platform does not document, or of
// another type, is refused. The value may be at most 512 KiB (524,288 bytes), each product at
// most 64 fields; every code (and every variant's code) follows the rules of
// spec.products[].code. A value that breaks them is refused whole, nothing of it pushed, with
// a Stalled condition naming the ConfigMap, the product's index and the reason.
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
	// sourceHash identifies the feed on the platform: 1 to 64 letters, digits, '-', '_' or
	// '.'. Leave it out to let the operator choose one of exactly 64 characters (shown in
	// status.sourceHash); set it to adopt an existing feed. It can be set once and never
	// changed.
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

	// productsSkipped is how many SKUs the platform skipped in its last answers (it answered
	// success but listed them in data.errors: unknown or variant SKUs, for instance). They
	// are not counted as pushed or deleted: they stay in the record and are tried again.
	// +optional
	ProductsSkipped int64 `json:"productsSkipped,omitempty"`

	// skippedSKUs lists the first (at most 10) of those skipped SKUs.
	// +kubebuilder:validation:MaxItems=10
	// +listType=atomic
	// +optional
	SkippedSKUs []string `json:"skippedSKUs,omitempty"`

	// productsDeleted counts the products deleted so far while the feed is being deleted,
	// so progress reads "deleted 1,500 of 10,000 products".
	// +optional
	ProductsDeleted int64 `json:"productsDeleted,omitempty"`

	// deletionProgress is the progress of a running deletion for people and scripts,
	// "deleted/total" ("1,500/10,000"); `kubectl get fsfeed` shows it.
	// +optional
	DeletionProgress string `json:"deletionProgress,omitempty"`

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
// +kubebuilder:printcolumn:name="Deleted",type=string,JSONPath=`.status.deletionProgress`
// +kubebuilder:printcolumn:name="LastSync",type=date,JSONPath=`.status.lastSyncTime`
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
