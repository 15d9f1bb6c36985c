package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/flipsnackfeed"
	"github.com/prodlife/product-lifecycle-operator/controllers/flipsnackfeed/feedplan"
)

// feedImport is `import flipsnack`: a FlipsnackFeed that adopts the existing feed sourceHash
// with the products of the user's own catalogue file. The platform has no action that lists
// or reads a feed, so the file is the only account of what the feed holds.
type feedImport struct {
	sourceHash, from, format, name, namespace, credentialsSecret string
	deletionPolicy                                               string
}

func newImportFlipsnackCommand() *cobra.Command {
	o := feedImport{}
	c := &cobra.Command{
		Use:   "flipsnack --source-hash H --from FILE [--name N] [--namespace N] [--credentials-secret S]",
		Short: "Print a FlipsnackFeed adopting an existing feed, its products from a catalogue file",
		Long: `Reads a catalogue in the platform's field names (code, type, title, sell_price, ...):
a JSON array of products, or a CSV file whose header names the fields (attribute.name1 for a
nested one) and whose rows with a parent_code are variants of that product. Each product is
checked as the operator checks it. Prints a FlipsnackFeed with spec.sourceHash H that declares
them: in spec.products up to 2,000 products, past that (or when spec.products cannot state a
product exactly) in ConfigMaps of spec.productsFrom, printed before it. Applying them adopts
the feed: the operator sends every declared product once (products.update for those the feed
has, products.create for the others) and never touches its other products.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.run(cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := c.Flags()
	f.StringVar(&o.sourceHash, "source-hash", "", "the existing feed's sourceHash (required)")
	f.StringVar(&o.from, "from", "", "the catalogue file, JSON or CSV (required)")
	f.StringVar(&o.format, "format", "", "json or csv; left out, the file's extension says")
	f.StringVar(&o.name, "name", "", "the FlipsnackFeed's name (default: from the sourceHash)")
	f.StringVarP(&o.namespace, "namespace", "n", "", "the namespace of the feed and its ConfigMaps; left out, kubectl apply's current one")
	f.StringVar(&o.credentialsSecret, "credentials-secret", "flipsnack-credentials", "the Secret with apiKey and apiSecret that the feed names")
	f.StringVar(&o.deletionPolicy, "deletion-policy", string(v1alpha1.DeletionPolicyOrphan), "Orphan keeps the products on the platform when the feed is deleted; Delete deletes those it pushed")
	_ = c.MarkFlagRequired("source-hash")
	_ = c.MarkFlagRequired("from")
	return c
}

// sourceHashRule is spec.sourceHash's pattern (api/v1alpha1/flipsnackfeed_types.go).
var sourceHashRule = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// maxInlineBytes bounds spec.products in JSON: a feed's record of what it pushed shares the
// object with it, and the API server takes objects of about 1.5 MiB at most.
const maxInlineBytes = 512 * 1024

func (o feedImport) run(out, errOut io.Writer) error {
	policy, err := deletionPolicy(o.deletionPolicy)
	if err != nil {
		return err
	}
	if !sourceHashRule.MatchString(o.sourceHash) {
		return fmt.Errorf("--source-hash %q: a sourceHash is 1 to 64 letters, digits, '-', '_' or '.'", o.sourceHash)
	}
	items, err := readCatalogue(o.from, o.format)
	if err != nil {
		return err
	}
	products, err := checkedProducts(items)
	if err != nil {
		return err
	}
	name := o.name
	if name == "" {
		name = resourceName(o.sourceHash, "feed")
	}
	feed := &v1alpha1.FlipsnackFeed{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "FlipsnackFeed"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: o.namespace},
		Spec: v1alpha1.FlipsnackFeedSpec{
			SourceHash:           o.sourceHash,
			CredentialsSecretRef: v1alpha1.SecretReference{Name: o.credentialsSecret},
		},
	}
	feed.Spec.DeletionPolicy = policy

	inline, why := inlineProducts(products)
	if why == "" {
		feed.Spec.Products = inline
		errs, err := schemaErrors("FlipsnackFeed", feed)
		if err != nil {
			return err
		}
		if len(errs) == 0 {
			fmt.Fprintf(errOut, "%d products in spec.products\n", len(products))
			return writeYAML(out, feed)
		}
		// The spec's rules are stricter than the platform's (an https link, an ISO currency,
		// amounts of digits): what the file holds goes to ConfigMaps as it is.
		feed.Spec.Products = nil
		why = "the API server would refuse them in spec.products: " + errs[0].Error()
	}
	maps, err := o.configMaps(name, products)
	if err != nil {
		return err
	}
	for _, cm := range maps {
		feed.Spec.ProductsFrom = append(feed.Spec.ProductsFrom, v1alpha1.ProductsSource{
			ConfigMap: v1alpha1.ConfigMapProducts{Name: cm.Name, Key: configMapKey},
		})
		if err := writeYAML(out, cm); err != nil {
			return err
		}
	}
	fmt.Fprintf(errOut, "%d products in %d ConfigMaps (%s)\n", len(products), len(maps), why)
	return writeYAML(out, feed)
}

// checkedProducts holds each product to what the operator accepts of a productsFrom
// ConfigMap, so that a catalogue it would stall on is refused here, naming the product.
func checkedProducts(items []map[string]json.RawMessage) ([]feedplan.Product, error) {
	if len(items) > v1alpha1.MaxFeedProducts {
		return nil, fmt.Errorf("%d products: a feed holds at most %d; split the catalogue into several feeds", len(items), v1alpha1.MaxFeedProducts)
	}
	seen := map[string]int{}
	out := make([]feedplan.Product, len(items))
	for i, item := range items {
		p, err := feedplan.NewProduct(item)
		if err != nil {
			return nil, fmt.Errorf("product %d of the file: %w", i+1, err)
		}
		if first, dup := seen[p.SKU]; dup {
			return nil, fmt.Errorf("SKU %q is products %d and %d of the file: every SKU of a feed must be unique", p.SKU, first+1, i+1)
		}
		seen[p.SKU] = i
		out[i] = p
	}
	return out, nil
}

// inlineProducts is the catalogue as spec.products, or why it cannot be.
func inlineProducts(products []feedplan.Product) ([]v1alpha1.FeedProduct, string) {
	if len(products) > v1alpha1.MaxSpecProducts {
		return nil, fmt.Sprintf("more than the %d products spec.products may list", v1alpha1.MaxSpecProducts)
	}
	out := make([]v1alpha1.FeedProduct, len(products))
	for i, p := range products {
		sp, err := flipsnackfeed.SpecProduct(p.Fields)
		if err != nil {
			return nil, fmt.Sprintf("spec.products cannot state product %q exactly: %v", p.SKU, err)
		}
		out[i] = sp
	}
	if b, _ := json.Marshal(out); len(b) > maxInlineBytes {
		return nil, fmt.Sprintf("spec.products would take %d KiB, more than the %d KiB kept inline", len(b)/1024, maxInlineBytes/1024)
	}
	return out, ""
}

// configMapKey is the key of each ConfigMap the import writes.
const configMapKey = "products.json"

// configMaps splits the catalogue into ConfigMaps whose value, a JSON array of products in
// the platform's names, stays within what the operator reads of one.
func (o feedImport) configMaps(feed string, products []feedplan.Product) ([]*corev1.ConfigMap, error) {
	var chunks [][]byte
	var cur bytes.Buffer
	flush := func() {
		if cur.Len() > 0 {
			chunks = append(chunks, append(append([]byte("["), cur.Bytes()...), ']'))
			cur.Reset()
		}
	}
	for _, p := range products {
		full := p.Full()
		if len(full)+2 > v1alpha1.MaxProductsSourceBytes {
			return nil, fmt.Errorf("product %q alone is over the %d KiB of one ConfigMap value", p.SKU, v1alpha1.MaxProductsSourceBytes/1024)
		}
		if cur.Len()+len(full)+3 > v1alpha1.MaxProductsSourceBytes {
			flush()
		}
		if cur.Len() > 0 {
			cur.WriteByte(',')
		}
		cur.Write(full)
	}
	flush()
	if len(chunks) > v1alpha1.MaxProductsSources {
		return nil, fmt.Errorf("the catalogue takes %d ConfigMaps of %d KiB, more than the %d a feed may read: split it into several feeds",
			len(chunks), v1alpha1.MaxProductsSourceBytes/1024, v1alpha1.MaxProductsSources)
	}
	out := make([]*corev1.ConfigMap, len(chunks))
	for i, chunk := range chunks {
		out[i] = &corev1.ConfigMap{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-products-%d", feed, i+1), Namespace: o.namespace},
			Data:       map[string]string{configMapKey: string(chunk)},
		}
	}
	return out, nil
}
