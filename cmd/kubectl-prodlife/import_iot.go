package main

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/internal/alibaba"
)

// iotImport is `import iot`: every product of an account's IoT instance, as IoTProducts
// whose spec says what the platform holds, so that applying them adopts each product with
// no create, update or delete.
type iotImport struct {
	region, instance, namespace, credentialsSecret, endpoint string
	deletionPolicy                                           string
}

func newImportIoTCommand() *cobra.Command {
	o := iotImport{}
	c := &cobra.Command{
		Use:   "iot --region R [--instance I] [--namespace N] [--credentials-secret S]",
		Short: "Print an IoTProduct adopting each product of an Alibaba Cloud IoT instance",
		Long: `Lists every product of the instance (QueryProductList, 200 a page), reads each one
(QueryProduct) and prints an IoTProduct per product whose spec matches the platform exactly:
applying them adopts every product with no create, update or delete. Credentials come from the
Alibaba Cloud default chain (ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET,
the profile in ~/.alibabacloud, an instance RAM role); they need only the read actions.
A product the API server would refuse (a name outside the IoTProduct rules) is named on
standard error and left out.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.run(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := c.Flags()
	f.StringVar(&o.region, "region", "", "the instance's region, e.g. cn-shanghai (required)")
	f.StringVar(&o.instance, "instance", "", "the IoT instance ID (iotInstanceId); leave out for an old public instance")
	f.StringVarP(&o.namespace, "namespace", "n", "", "the namespace of the IoTProducts; left out, kubectl apply puts them in its current namespace")
	f.StringVar(&o.credentialsSecret, "credentials-secret", "", "the Secret (in that namespace) the IoTProducts name in credentialsSecretRef; left out, they use the operator's own credentials")
	f.StringVar(&o.endpoint, "endpoint", "", "the API's URL (default https://iot.<region>.aliyuncs.com)")
	f.StringVar(&o.deletionPolicy, "deletion-policy", string(v1alpha1.DeletionPolicyOrphan), "Orphan keeps a product on the platform when its IoTProduct is deleted; Delete deletes it")
	_ = c.MarkFlagRequired("region")
	return c
}

func (o iotImport) run(ctx context.Context, out, errOut io.Writer) error {
	policy, err := deletionPolicy(o.deletionPolicy)
	if err != nil {
		return err
	}
	clients, err := alibaba.NewClientSet(alibaba.Options{Endpoint: o.endpoint, DefaultRegion: o.region})
	if err != nil {
		return fmt.Errorf("--endpoint: %w", err)
	}
	client, err := clients.For(nil, o.region)
	if err != nil {
		return err
	}
	if o.instance != "" {
		client = client.WithIotInstance(o.instance)
	}
	listed, err := listProducts(ctx, client)
	if err != nil {
		return err
	}
	var manifests []*v1alpha1.IoTProduct
	names := map[string]bool{}
	for _, l := range listed {
		// QueryProductList leaves out what the spec must state (the network and protocol).
		p, _, err := client.QueryProduct(ctx, l.ProductKey)
		if err != nil {
			return fmt.Errorf("reading product %s: %w", l.ProductKey, err)
		}
		if problem := unadoptable(p); problem != "" {
			fmt.Fprintf(errOut, "warning: product %s (%q) left out: %s\n", p.ProductKey, p.ProductName, problem)
			continue
		}
		m := o.manifest(p, policy)
		m.Name = uniqueName(resourceName(p.ProductName, p.ProductKey), p.ProductKey, names)
		manifests = append(manifests, m)
	}
	sort.Slice(manifests, func(i, j int) bool { return manifests[i].Name < manifests[j].Name })
	for _, m := range manifests {
		if err := writeYAML(out, m); err != nil {
			return err
		}
	}
	fmt.Fprintf(errOut, "%d of %d products of the instance printed\n", len(manifests), len(listed))
	return nil
}

// listProducts reads every page of the instance's products.
func listProducts(ctx context.Context, c *alibaba.Client) ([]alibaba.Product, error) {
	var all []alibaba.Product
	pages := 0
	if _, err := c.EachPage(ctx, func(pg alibaba.ProductPage) bool {
		pages++
		all = append(all, pg.Products...)
		return true
	}); err != nil {
		return nil, fmt.Errorf("listing products (page %d): %w", pages+1, err)
	}
	return all, nil
}

// manifest is the IoTProduct that adopts p: every field the platform fixed at creation as
// the platform has it, so that the spec says what is there.
func (o iotImport) manifest(p alibaba.Product, policy v1alpha1.DeletionPolicy) *v1alpha1.IoTProduct {
	m := &v1alpha1.IoTProduct{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "IoTProduct"},
		ObjectMeta: metav1.ObjectMeta{Namespace: o.namespace},
		Spec: v1alpha1.IoTProductSpec{
			ProductKey:    p.ProductKey,
			ProductName:   p.ProductName,
			Description:   p.Description,
			Region:        o.region,
			IotInstanceID: o.instance,
			NodeType:      v1alpha1.NodeTypeDevice,
			AuthType:      v1alpha1.AuthType(p.AuthType),
			NetType:       p.NetType,
			ProtocolType:  p.ProtocolType,
		},
	}
	if p.NodeType == 1 {
		m.Spec.NodeType = v1alpha1.NodeTypeGateway
	}
	if p.AliyunCommodityCode == "iothub_senior" {
		// Only a product with a thing model has a data format.
		m.Spec.DataFormat = v1alpha1.DataFormatAlinkJSON
		if p.DataFormat == 0 {
			m.Spec.DataFormat = v1alpha1.DataFormatCustom
		}
	}
	m.Spec.DeletionPolicy = policy
	if o.credentialsSecret != "" {
		m.Spec.CredentialsSecretRef = &v1alpha1.SecretReference{Name: o.credentialsSecret}
	}
	return m
}

// The IoTProduct rules (api/v1alpha1/iotproduct_types.go) that a product made in the console
// may break.
var (
	productNameChars = regexp.MustCompile(`^[\p{Han}A-Za-z0-9_]+$`)
	hanChar          = regexp.MustCompile(`\p{Han}`)
	authTypes        = map[string]bool{"": true, "secret": true, "id2": true, "x509": true}
	netTypes         = map[string]bool{"": true, "WIFI": true, "CELLULAR": true, "ETHERNET": true, "OTHER": true}
	protocolTypes    = map[string]bool{"": true, "modbus": true, "opc-ua": true, "customize": true, "ble": true, "zigbee": true}
)

// unadoptable says why no IoTProduct the API server accepts can state p, or "".
func unadoptable(p alibaba.Product) string {
	length := utf8.RuneCountInString(p.ProductName) + len(hanChar.FindAllString(p.ProductName, -1))
	switch {
	case !productNameChars.MatchString(p.ProductName):
		return "its name has characters spec.productName does not allow (letters, digits, underscores, Chinese characters)"
	case length < 4 || length > 30:
		return "its name is not 4 to 30 characters long (a Chinese character counting as two), as spec.productName must be"
	case utf8.RuneCountInString(p.Description) > 100:
		return "its description is over the 100 characters of spec.description"
	case !authTypes[p.AuthType]:
		return fmt.Sprintf("its authType %q is not one spec.authType knows", p.AuthType)
	case !netTypes[p.NetType]:
		return fmt.Sprintf("its netType %q is not one spec.netType knows", p.NetType)
	case !protocolTypes[p.ProtocolType]:
		return fmt.Sprintf("its protocolType %q is not one spec.protocolType knows", p.ProtocolType)
	}
	return ""
}

var notInName = regexp.MustCompile(`[^a-z0-9]+`)

// resourceName is a Kubernetes name for a product: its name in lower case with dashes, or
// its ProductKey when nothing of the name is left.
func resourceName(productName, productKey string) string {
	name := strings.Trim(notInName.ReplaceAllString(strings.ToLower(productName), "-"), "-")
	if name == "" {
		return strings.ToLower(productKey)
	}
	return name
}

// uniqueName is name, or name and the ProductKey when two products would share one.
func uniqueName(name, productKey string, taken map[string]bool) string {
	if taken[name] {
		name = name + "-" + strings.ToLower(productKey)
	}
	taken[name] = true
	return name
}
