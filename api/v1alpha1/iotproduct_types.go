package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// NodeType is the kind of device a product describes.
// +kubebuilder:validation:Enum=Device;Gateway
type NodeType string

const (
	NodeTypeDevice  NodeType = "Device"
	NodeTypeGateway NodeType = "Gateway"
)

// DataFormat is how devices of the product encode their messages.
// +kubebuilder:validation:Enum=AlinkJSON;Custom
type DataFormat string

const (
	DataFormatAlinkJSON DataFormat = "AlinkJSON"
	DataFormatCustom    DataFormat = "Custom"
)

// AuthType is how devices of the product authenticate.
// +kubebuilder:validation:Enum=secret;id2;x509
type AuthType string

// IoTProductSpec declares an Alibaba Cloud IoT Platform product.
// Only productName and description can change after creation; the platform fixes every other
// field when the product is created, so the API server refuses changes to them.
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.productKey) || (has(self.productKey) && self.productKey == oldSelf.productKey)",message="productKey can be set once and never changed or removed"
// +kubebuilder:validation:XValidation:rule="has(self.iotInstanceId) == has(oldSelf.iotInstanceId)",message="iotInstanceId is fixed at creation: it cannot be added or removed"
// +kubebuilder:validation:XValidation:rule="has(self.protocolType) == has(oldSelf.protocolType)",message="protocolType is fixed at creation: it cannot be added or removed"
// +kubebuilder:validation:XValidation:rule="has(self.netType) == has(oldSelf.netType)",message="netType is fixed at creation: it cannot be added or removed"
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.description) || oldSelf.description.size() == 0 || (has(self.description) && self.description.size() > 0)",message="description cannot be removed or emptied once set: the platform cannot clear a product's description (it takes 1 to 100 characters); set another text instead"
type IoTProductSpec struct {
	// productName is the product's name on the platform: 4 to 30 characters of letters,
	// digits, underscores and Chinese characters (each Chinese character counts as two).
	// Unique within the IoT instance. Can be changed: the operator renames the product.
	// +kubebuilder:validation:MinLength=2
	// +kubebuilder:validation:MaxLength=30
	// +kubebuilder:validation:Pattern=`^[\p{Han}A-Za-z0-9_]+$`
	// +kubebuilder:validation:XValidation:rule="self.size() + self.findAll(r'\\p{Han}').size() >= 4 && self.size() + self.findAll(r'\\p{Han}').size() <= 30",message="productName must be 4 to 30 characters long, a Chinese character counting as two"
	// +required
	ProductName string `json:"productName"`

	// description of the product, 1 to 100 characters. Can be changed, but not removed or
	// emptied once set: the platform cannot clear a product's description (UpdateProduct takes
	// 1 to 100 characters), so the API server refuses that change. Left out, the operator
	// never sends a description and leaves the one the product has on the platform (an
	// adopted product keeps its own).
	// +kubebuilder:validation:MaxLength=100
	// +optional
	Description string `json:"description,omitempty"`

	// nodeType: Device (a directly connected device or a gateway's sub-device) or Gateway.
	// Fixed at creation.
	// +kubebuilder:default=Device
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="nodeType is fixed at creation"
	// +optional
	NodeType NodeType `json:"nodeType,omitempty"`

	// dataFormat: AlinkJSON (the platform's standard format) or Custom (a script parses the
	// payload). Fixed at creation. The operator creates every product with a thing model, the
	// only kind that has a data format: CreateProduct is sent AliyunCommodityCode
	// iothub_senior with DataFormat 1 (AlinkJSON) or 0 (Custom). It never creates a
	// basic-edition product (AliyunCommodityCode left out) and never sends iothub, which
	// CreateProduct does not accept. MQTT-type instances have no thing model, and the
	// documentation says not to send AliyunCommodityCode there: the operator does not
	// create products in them (what the platform answers is reported as CreateFailed with
	// its code); adopt such a product with productKey instead.
	// +kubebuilder:default=AlinkJSON
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="dataFormat is fixed at creation"
	// +optional
	DataFormat DataFormat `json:"dataFormat,omitempty"`

	// authType: secret (default), id2 or x509. Fixed at creation.
	// +kubebuilder:default=secret
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="authType is fixed at creation"
	// +optional
	AuthType AuthType `json:"authType,omitempty"`

	// protocolType is the protocol a sub-device uses to reach its gateway: modbus, opc-ua,
	// customize, ble or zigbee. Fixed at creation.
	// +kubebuilder:validation:Enum=modbus;opc-ua;customize;ble;zigbee
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="protocolType is fixed at creation"
	// +optional
	ProtocolType string `json:"protocolType,omitempty"`

	// netType is how directly connected devices reach the platform: WIFI, CELLULAR, ETHERNET
	// or OTHER. Fixed at creation.
	// +kubebuilder:validation:Enum=WIFI;CELLULAR;ETHERNET;OTHER
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="netType is fixed at creation"
	// +optional
	NetType string `json:"netType,omitempty"`

	// iotInstanceId is the IoT instance that holds the product. Required when the account's
	// instance has an ID (Enterprise instances, and public instances created after 2021);
	// leave it out for an old public instance. Fixed at creation.
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_-]+$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="iotInstanceId is fixed at creation"
	// +optional
	IotInstanceID string `json:"iotInstanceId,omitempty"`

	// region is the Alibaba Cloud region of the IoT instance, e.g. cn-shanghai. Fixed at creation.
	// +kubebuilder:validation:MinLength=4
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern=`^[a-z]{2,3}-[a-z0-9-]+$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="region is fixed at creation"
	// +required
	Region string `json:"region"`

	// productKey adopts an existing product instead of creating one. It can be set once and
	// never changed. Leave it out to let the operator create the product; the ProductKey it
	// gets is then shown in status.productKey.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9]+$`
	// +optional
	ProductKey string `json:"productKey,omitempty"`

	// credentialsSecretRef names a Secret in this namespace with keys accessKeyId,
	// accessKeySecret and, for temporary credentials, securityToken. Without it the operator
	// uses its own credential chain (environment, RRSA OIDC role, instance RAM role).
	// +optional
	CredentialsSecretRef *SecretReference `json:"credentialsSecretRef,omitempty"`

	LifecyclePolicies `json:",inline"`

	// pollInterval is how often the operator reads this product back from the platform to
	// find drift, in place of the operator's --sync-period (10m by default): 1m to 24h, e.g.
	// "30m". Shorter finds a change made in the console sooner and spends more of the
	// account's QueryProduct budget (50 calls a second for the whole account). A spec change
	// or a requested reconcile (prodlife.dev/reconcile-requested-at) is handled at once
	// whatever it says.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1m') && duration(self) <= duration('24h')",message="pollInterval must be between 1m and 24h"
	// +optional
	PollInterval *metav1.Duration `json:"pollInterval,omitempty"`

	// deletionGuard: None (default) asks the platform to delete the product whatever it
	// holds; RefuseIfDevices reads the product first and does not ask while it has devices.
	// Whether the platform deletes a product that still has devices, and what becomes of the
	// devices, is not documented: a refusal the platform answers stays in the Ready condition
	// with its code and message, and the object stays until the deletion succeeds or
	// deletionPolicy is set to Orphan. A deletion the guard refuses stays Terminating with
	// Ready=False DeletionGuarded and Stalled=True until the devices are gone, the guard is
	// set to None, or deletionPolicy is set to Orphan. It can be changed at any time.
	// +kubebuilder:default=None
	// +optional
	DeletionGuard DeletionGuard `json:"deletionGuard,omitempty"`
}

// DeletionGuard says what must hold before the operator deletes a product on the platform.
// +kubebuilder:validation:Enum=None;RefuseIfDevices
type DeletionGuard string

const (
	// DeletionGuardNone asks the platform to delete the product whatever it holds.
	DeletionGuardNone DeletionGuard = "None"
	// DeletionGuardRefuseIfDevices refuses to delete a product that has devices.
	DeletionGuardRefuseIfDevices DeletionGuard = "RefuseIfDevices"
)

// IoTProductStatus is what the operator last saw of the product.
type IoTProductStatus struct {
	CommonStatus `json:",inline"`

	// productKey is the platform's identifier of the product.
	// +optional
	ProductKey string `json:"productKey,omitempty"`

	// productStatus is the platform's development state: DEVELOPMENT_STATUS or RELEASE_STATUS.
	// +optional
	ProductStatus string `json:"productStatus,omitempty"`

	// deviceCount is the number of devices registered under the product, as the platform
	// last reported it (absent until the product was first read).
	// +optional
	DeviceCount *int64 `json:"deviceCount,omitempty"`

	// credentialsFingerprint names, without revealing anything secret, the credentials,
	// region and IoT instance that last saw the product: the first 8 hex digits of a SHA-256
	// over the AccessKeyId (for temporary STS credentials and the operator's own credential
	// chain, only their kind), the region and the iotInstanceId. Recorded when the operator
	// creates, finds or reads the product. A deletion that the platform answers "no such
	// product" counts as done only when the credentials in use have this fingerprint: other
	// credentials may simply not see a product that still exists.
	// +optional
	CredentialsFingerprint string `json:"credentialsFingerprint,omitempty"`
}

// IoTProduct is a product on Alibaba Cloud IoT Platform, created, kept in line with the spec
// and, through a finalizer, deleted from the platform by the operator.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=iotp,categories=prodlife
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="ProductKey",type=string,JSONPath=`.status.productKey`
// +kubebuilder:printcolumn:name="ProductName",type=string,JSONPath=`.spec.productName`,priority=1
// +kubebuilder:printcolumn:name="Devices",type=integer,JSONPath=`.status.deviceCount`
// +kubebuilder:printcolumn:name="LastSync",type=date,JSONPath=`.status.lastSyncTime`
// +kubebuilder:printcolumn:name="Message",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].message`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type IoTProduct struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec IoTProductSpec `json:"spec"`
	// +optional
	Status IoTProductStatus `json:"status,omitempty"`
}

// IoTProductList is a list of IoTProducts.
// +kubebuilder:object:root=true
type IoTProductList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []IoTProduct `json:"items"`
}

func init() {
	SchemeBuilder.Register(&IoTProduct{}, &IoTProductList{})
}
