package iotproduct

import (
	"context"
	"fmt"
	"strings"

	"k8s.io/utils/ptr"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
	"github.com/prodlife/product-lifecycle-operator/internal/alibaba"
	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
)

// iotConnector makes IoT clients from a resource's Secret, or from the operator's own
// credential chain when the resource names no Secret.
type iotConnector struct {
	clients *alibaba.ClientSet
}

func (c iotConnector) Connect(_ context.Context, p *v1alpha1.IoTProduct, secret map[string][]byte, _ engine.Store) (engine.External[*v1alpha1.IoTProduct, engine.NoPlan], error) {
	var creds *alibaba.Credentials
	if name := p.GetCredentialsSecretName(); name != "" {
		if missing := engine.MissingKeys(secret, v1alpha1.KindNamed("IoTProduct").CredentialKeys); len(missing) > 0 {
			return nil, &engine.CredentialsError{Reason: fmt.Sprintf(
				"the credentials Secret %q has no %s: it needs the keys %s and %s (and %s for STS credentials)",
				name, strings.Join(missing, " or "), v1alpha1.SecretKeyAccessKeyID, v1alpha1.SecretKeyAccessKeySecret, v1alpha1.SecretKeySecurityToken)}
		}
		creds = &alibaba.Credentials{
			AccessKeyID:     string(secret[v1alpha1.SecretKeyAccessKeyID]),
			AccessKeySecret: string(secret[v1alpha1.SecretKeyAccessKeySecret]),
			SecurityToken:   string(secret[v1alpha1.SecretKeySecurityToken]),
		}
	}
	client, err := c.clients.For(creds, p.Spec.Region)
	if err != nil {
		return nil, &engine.CredentialsError{Reason: fmt.Sprintf("cannot use the credentials: %v", err)}
	}
	return &iotExternal{client: client.WithIotInstance(p.Spec.IotInstanceID)}, nil
}

// iotExternal is the IoTProduct adapter: the four lifecycle verbs over the IoT product API.
type iotExternal struct {
	client *alibaba.Client
}

func (x *iotExternal) Observe(ctx context.Context, p *v1alpha1.IoTProduct, productKey string) (engine.Observation[engine.NoPlan], error) {
	product, _, err := x.client.QueryProduct(ctx, productKey)
	if apierr.Is(err, apierr.NotFound) {
		return engine.Observation[engine.NoPlan]{Exists: false}, nil
	}
	if err != nil {
		return engine.Observation[engine.NoPlan]{}, err
	}
	p.Status.ProductKey = product.ProductKey
	p.Status.ProductStatus = product.ProductStatus
	p.Status.DeviceCount = ptr.To(int64(product.DeviceCount))
	// These credentials see the product: they are as good as the ones that created it (a
	// rotated key of the same account takes over; an object from before the fingerprint
	// existed gets one).
	p.Status.CredentialsFingerprint = x.client.CredentialsFingerprint()

	// Only the name and the description can change after creation, so only they can drift
	// in a way the operator can correct.
	var diff []string
	if product.ProductName != p.Spec.ProductName {
		diff = append(diff, fmt.Sprintf("productName is %q, spec wants %q", product.ProductName, p.Spec.ProductName))
	}
	// An empty spec description is never sent (the platform cannot clear one), so the
	// product's own description is left as it is rather than reported as drift forever.
	if p.Spec.Description != "" && product.Description != p.Spec.Description {
		diff = append(diff, fmt.Sprintf("description is %q, spec wants %q", product.Description, p.Spec.Description))
	}
	return engine.Observation[engine.NoPlan]{Exists: true, UpToDate: len(diff) == 0, Diff: strings.Join(diff, "; ")}, nil
}

// Lookup finds the product by name: names are unique within an IoT instance, and the engine
// only asks under this resource's own create-pending mark. A product of that name made
// before the mark (QueryProductList's GmtCreate) is someone else's: not found here, so the
// create that follows is refused as a NameConflict instead of taking it over.
func (x *iotExternal) Lookup(ctx context.Context, p *v1alpha1.IoTProduct) (string, bool, error) {
	product, _, err := x.client.FindProductByName(ctx, p.Spec.ProductName)
	if err != nil || product == nil || !engine.MadeUnderMark(p, product.GmtCreate) {
		return "", false, err
	}
	p.Status.CredentialsFingerprint = x.client.CredentialsFingerprint()
	return product.ProductKey, true, nil
}

func (x *iotExternal) Create(ctx context.Context, p *v1alpha1.IoTProduct) (engine.Result, error) {
	product, requestID, err := x.client.CreateProduct(ctx, createProductInput(p.Spec))
	if err != nil {
		return engine.Result{}, err
	}
	p.Status.ProductKey = product.ProductKey
	p.Status.CredentialsFingerprint = x.client.CredentialsFingerprint()
	return engine.Result{ExternalID: product.ProductKey, RequestID: requestID}, nil
}

func (x *iotExternal) Update(ctx context.Context, p *v1alpha1.IoTProduct, productKey string, _ engine.Observation[engine.NoPlan]) (engine.Result, error) {
	requestID, err := x.client.UpdateProduct(ctx, productKey, p.Spec.ProductName, p.Spec.Description)
	return engine.Result{ExternalID: productKey, RequestID: requestID}, err
}

func (x *iotExternal) Delete(ctx context.Context, p *v1alpha1.IoTProduct, productKey string) (engine.Result, error) {
	guarded := p.Spec.DeletionGuard == v1alpha1.DeletionGuardRefuseIfDevices
	// Without a record of the credentials that see the product (an object from before the
	// record existed, or whose status write was lost), the product is read first: a delete
	// answered "not found" is then known to come from credentials that saw it.
	if guarded || p.Status.CredentialsFingerprint == "" {
		product, requestID, err := x.client.QueryProduct(ctx, productKey)
		if err != nil {
			return engine.Result{ExternalID: productKey, RequestID: requestID}, x.notFoundElsewhere(p, productKey, err)
		}
		p.Status.CredentialsFingerprint = x.client.CredentialsFingerprint()
		p.Status.DeviceCount = ptr.To(int64(product.DeviceCount))
		// Whether the platform deletes a product that still has devices (and what happens to
		// them) is not documented; the guard reads first so that it is never tried. (A device
		// registered between this read and the delete is not seen: the guard narrows the
		// risk, it cannot close it.)
		if guarded && product.DeviceCount > 0 {
			return engine.Result{ExternalID: productKey}, &engine.DeletionGuardedError{Reason: fmt.Sprintf(
				"product %s still has %d device(s) and spec.deletionGuard is RefuseIfDevices, so it is not deleted. "+
					"Ways out: remove the devices on the platform (the operator looks again every few minutes and then deletes it), "+
					"set spec.deletionGuard to None to ask the platform to delete the product as it is, "+
					"or set spec.deletionPolicy to Orphan to leave it on the platform", productKey, product.DeviceCount)}
		}
	}
	requestID, err := x.client.DeleteProduct(ctx, productKey)
	return engine.Result{ExternalID: productKey, RequestID: requestID, Done: err == nil}, x.notFoundElsewhere(p, productKey, err)
}

// notFoundElsewhere keeps a "no such product" answer (iot.prod.NotExistedProduct) from
// counting as a completed deletion unless the credentials, region and instance asking are
// the ones that created, found or last read the product: a product belongs to one account
// and one instance, and is "not found" by any other, so the answer from elsewhere proves
// nothing. The engine holds such an object Stalled until a person decides. Any other error
// is returned as it is.
func (x *iotExternal) notFoundElsewhere(p *v1alpha1.IoTProduct, productKey string, err error) error {
	if !apierr.Is(err, apierr.NotFound) {
		return err
	}
	recorded, current := p.Status.CredentialsFingerprint, x.client.CredentialsFingerprint()
	if recorded == current {
		return err
	}
	why := fmt.Sprintf("with other credentials than those that created it (status.credentialsFingerprint %s, the credentials in use %s: another AccessKey, region or iotInstanceId)", recorded, current)
	if recorded == "" {
		why = fmt.Sprintf("and this resource has no record of the credentials that created it (no status.credentialsFingerprint; the credentials in use are %s)", current)
	}
	return &engine.DeletionGuardedError{Condition: engine.ReasonNotFoundElsewhere, Reason: fmt.Sprintf(
		"product %s not found %s, so the deletion is not counted as done: the product may still exist where those credentials look (the platform answered: %v). "+
			"Restore the credentials Secret to let the operator delete it; if it is really gone, set spec.deletionPolicy: Orphan",
		productKey, why, err)}
}

// createProductInput translates the spec into the platform's CreateProduct parameters.
func createProductInput(spec v1alpha1.IoTProductSpec) alibaba.CreateProductInput {
	nodeType := 0
	if spec.NodeType == v1alpha1.NodeTypeGateway {
		nodeType = 1
	}
	dataFormat := 1
	if spec.DataFormat == v1alpha1.DataFormatCustom {
		dataFormat = 0
	}
	// The spec always has a dataFormat, which only products with a thing model take:
	// "若产品需要使用物模型功能,必选传入请求参数AliyunCommodityCode和DataFormat,且AliyunCommodityCode
	// 值为iothub_senior" (a product with a thing model needs AliyunCommodityCode iothub_senior and
	// DataFormat), and when sent "仅支持输入iothub_senior" (only iothub_senior is accepted;
	// left out, a basic product without a thing model is made)
	// (help.aliyun.com/document_detail/69123). So every create sends iothub_senior with
	// DataFormat, never iothub. MQTT-type instances have no thing model and take no
	// AliyunCommodityCode (same page): products there are adopted (spec.productKey), not
	// created; the field docs of spec.dataFormat say so.
	return alibaba.CreateProductInput{
		ProductName:         spec.ProductName,
		NodeType:            nodeType,
		Description:         spec.Description,
		DataFormat:          &dataFormat,
		AliyunCommodityCode: "iothub_senior",
		AuthType:            string(spec.AuthType),
		NetType:             spec.NetType,
		ProtocolType:        spec.ProtocolType,
	}
}
