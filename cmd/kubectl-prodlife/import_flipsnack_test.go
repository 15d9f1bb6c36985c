package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/flipsnackfeed"
	"github.com/prodlife/product-lifecycle-operator/controllers/flipsnackfeed/feedplan"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	must(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// A catalogue of a few products, JSON or CSV, becomes a feed that adopts sourceHash and lists
// them in spec.products, each sending exactly what the file says.
func TestImportFlipsnackPutsASmallCatalogueInTheSpec(t *testing.T) {
	const fromJSON = `[
	  {"code":"SKU-1","type":"product","title":"Linen shirt","sell_price":39.90,"currency":"EUR","quantity":true,
	   "attribute":{"name1":"Size","options1":"M,L"},
	   "variants":[{"code":"SKU-1-M","attribute":{"options1":"M"},"price":"41.90","visible":false}]},
	  {"code":"SKU-2","type":"product","purchasable_qty":{"min":1,"max":5}}
	]`
	const fromCSV = "\ufeffcode,type,title,sell_price,currency,quantity,attribute.name1,attribute.options1,purchasable_qty.min,purchasable_qty.max,parent_code,price,visible\n" +
		"SKU-1,product,Linen shirt,39.90,EUR,true,Size,\"M,L\",,,,,\n" +
		"SKU-1-M,,,,,,,M,,,SKU-1,41.90,false\n" +
		"SKU-2,product,,,,,,,1,5,,,\n"
	for _, tc := range []struct{ name, file string }{{"json", "catalogue.json"}, {"csv", "catalogue.csv"}} {
		t.Run(tc.name, func(t *testing.T) {
			content := map[string]string{"json": fromJSON, "csv": fromCSV}[tc.name]
			out, errOut := runPlugin(t, "import", "flipsnack", "--source-hash", "spring-2026", "--from", writeFile(t, tc.file, content), "-n", "shop")
			feeds := decodeAll[v1alpha1.FlipsnackFeed](t, out)
			if len(feeds) != 1 {
				t.Fatalf("printed %d documents, want one feed:\n%s", len(feeds), out)
			}
			f := feeds[0]
			if f.Name != "spring-2026" || f.Namespace != "shop" || f.Spec.SourceHash != "spring-2026" ||
				f.Spec.CredentialsSecretRef.Name != "flipsnack-credentials" || f.Spec.DeletionPolicy != v1alpha1.DeletionPolicyOrphan || len(f.Spec.ProductsFrom) != 0 {
				t.Errorf("feed %s/%s: %+v", f.Namespace, f.Name, f.Spec)
			}
			want := catalogueProducts(t, fromJSON)
			if len(f.Spec.Products) != len(want) {
				t.Fatalf("spec.products has %d products, want %d; stderr: %s", len(f.Spec.Products), len(want), errOut)
			}
			for i, sp := range f.Spec.Products {
				got, err := feedplan.NewProduct(flipsnackfeed.PlatformFields(sp))
				must(t, err)
				if string(got.Full()) != string(want[i].Full()) {
					t.Errorf("product %d sends\n %s\nwant\n %s", i, got.Full(), want[i].Full())
				}
			}
		})
	}
}

// Past 2,000 products the catalogue goes to ConfigMaps the feed reads, each within what the
// operator reads of one, together exactly the file's products.
func TestImportFlipsnackMovesALargeCatalogueToConfigMaps(t *testing.T) {
	var items []string
	for i := range 2500 {
		items = append(items, fmt.Sprintf(`{"code":"SKU-%05d","type":"product","title":"Product %d with a title long enough to need several ConfigMaps of its catalogue %s","sell_price":"%d.99"}`,
			i, i, strings.Repeat("x", 200), i))
	}
	file := "[" + strings.Join(items, ",") + "]"
	out, errOut := runPlugin(t, "import", "flipsnack", "--source-hash", "big-feed", "--from", writeFile(t, "big.json", file), "--name", "big", "--credentials-secret", "fs")
	docs := strings.Split(strings.TrimPrefix(out, "---\n"), "\n---\n")
	maps := decodeAll[corev1.ConfigMap](t, strings.Join(docs[:len(docs)-1], "\n---\n"))
	feed := decodeAll[v1alpha1.FlipsnackFeed](t, docs[len(docs)-1])[0]
	if len(maps) < 2 || len(feed.Spec.ProductsFrom) != len(maps) || len(feed.Spec.Products) != 0 {
		t.Fatalf("%d ConfigMaps, feed reads %d and lists %d products; stderr: %s", len(maps), len(feed.Spec.ProductsFrom), len(feed.Spec.Products), errOut)
	}
	var all []json.RawMessage
	for i, cm := range maps {
		ref := feed.Spec.ProductsFrom[i].ConfigMap
		if cm.Kind != "ConfigMap" || cm.Name != ref.Name || ref.Key != configMapKey || cm.Name != fmt.Sprintf("big-products-%d", i+1) {
			t.Errorf("ConfigMap %d is %s %s, the feed reads %+v", i, cm.Kind, cm.Name, ref)
		}
		value := cm.Data[configMapKey]
		if len(value) > v1alpha1.MaxProductsSourceBytes {
			t.Errorf("ConfigMap %s holds %d bytes, over the %d the operator reads", cm.Name, len(value), v1alpha1.MaxProductsSourceBytes)
		}
		var part []json.RawMessage
		must(t, json.Unmarshal([]byte(value), &part))
		all = append(all, part...)
	}
	want := catalogueProducts(t, file)
	if len(all) != len(want) {
		t.Fatalf("the ConfigMaps hold %d products, want %d", len(all), len(want))
	}
	for i := range want {
		var fields map[string]json.RawMessage
		must(t, json.Unmarshal(all[i], &fields))
		got, err := feedplan.NewProduct(fields)
		must(t, err)
		if string(got.Full()) != string(want[i].Full()) {
			t.Fatalf("product %d is\n %s\nwant\n %s", i, got.Full(), want[i].Full())
		}
	}
}

// A catalogue the operator would refuse is refused here, naming the product or the line.
func TestImportFlipsnackRefusesWhatTheOperatorWould(t *testing.T) {
	for _, tc := range []struct{ name, file, content, want string }{
		{"duplicate SKU", "c.json", `[{"code":"A","type":"product"},{"code":"A","type":"product"}]`, `SKU "A" is products 1 and 2`},
		{"SKU with a space", "c.json", `[{"code":"A 1","type":"product"}]`, `product 1 of the file: SKU "A 1" is refused`},
		{"unknown field", "c.json", `[{"code":"A","type":"product","colour":"red"}]`, "colour: not a field of the platform's product"},
		{"not an array", "c.json", `{"code":"A"}`, "is not a JSON array of products"},
		{"unknown column", "c.csv", "code,type,colour\nA,product,red\n", `column "colour" is not a field`},
		{"boolean cell", "c.csv", "code,type,quantity\nA,product,maybe\n", "line 2, column quantity: want true or false"},
		{"variant column in a product row", "c.csv", "code,type,price\nA,product,9\n", "line 2: column price is a variant's"},
		{"variant of nothing", "c.csv", "code,type,parent_code\nA-1,,B\n", `line 2: parent_code "B" names no product`},
		{"unknown format", "c.txt", "code\n", "say --format json or --format csv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runPluginErr("import", "flipsnack", "--source-hash", "h", "--from", writeFile(t, tc.file, tc.content))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	if _, _, err := runPluginErr("import", "flipsnack", "--source-hash", "has space", "--from", writeFile(t, "c.json", "[]")); err == nil || !strings.Contains(err.Error(), "--source-hash") {
		t.Errorf("a sourceHash with a space: %v", err)
	}
}

// catalogueProducts is a JSON catalogue as the operator reads it.
func catalogueProducts(t *testing.T, file string) []feedplan.Product {
	t.Helper()
	var items []map[string]json.RawMessage
	must(t, json.Unmarshal([]byte(file), &items))
	out := make([]feedplan.Product, len(items))
	for i, item := range items {
		p, err := feedplan.NewProduct(item)
		must(t, err)
		out[i] = p
	}
	return out
}
