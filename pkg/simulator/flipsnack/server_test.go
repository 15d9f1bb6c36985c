package flipsnack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestSignatureDocumentedVector(t *testing.T) {
	params := map[string]string{"action": "collection.getCollection", "apiKey": "45FD-267-7SG7832", "collectionHash": "fxh4k89"}
	if got := signature("123ABCDE-456-7890-FGH", params); got != "26e781d3d1751d82ec284acf4a019def" {
		t.Fatalf("signature = %s", got)
	}
}

// The request of the products.delete page: curl -X POST https://api.flipsnack.com/v1/ -F ...
func TestCurlStyleMultipartDelete(t *testing.T) {
	s := newUnlimited(Options{})
	if err := s.Seed(testKey, "src-1", raws(`{"type":"product","code":"SKU-01"}`, `{"type":"product","code":"SKU-02"}`, `{"type":"product","code":"SKU-03"}`)); err != nil {
		t.Fatal(err)
	}
	a := postMultipart(t, s, "/v1/", signed("products.delete", map[string]string{"sourceHash": "src-1", "productsSKU": "SKU-01,SKU-02,SKU-03"}))
	if a.Code != CodeOK || a.Data.Message != "Products deleted successfully" || len(a.Data.Errors) != 0 {
		t.Fatalf("answer %+v", a)
	}
	if len(s.Feeds()) != 0 {
		t.Fatal("the feed must go with its last product")
	}
}

// "/v1" as the documentation writes it, and the GET form of its HTML example.
func TestPathWithoutSlashAndGET(t *testing.T) {
	s := newUnlimited(Options{})
	q := url.Values{}
	for k, v := range signed("products.create", map[string]string{"sourceHash": "src", "products": `[{"type":"product","code":"A"}]`}) {
		q.Set(k, v)
	}
	a := serve(t, s, httptest.NewRequest(http.MethodGet, "/v1?"+q.Encode(), nil))
	if a.Code != CodeOK || len(s.Feeds()) != 1 {
		t.Fatalf("answer %+v, feeds %+v", a, s.Feeds())
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v2/", nil))
	if rec.Code != http.StatusNotFound {
		t.Fatalf("other path: HTTP %d", rec.Code)
	}
}

// Every answer code the simulator produces by itself, with the request that earns it.
func TestAnswerCodes(t *testing.T) {
	tooMany := make([]string, 501)
	tooManySKUs := make([]string, 501)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf(`{"type":"product","code":"N-%d"}`, i)
		tooManySKUs[i] = fmt.Sprintf("N-%d", i)
	}
	create := func(products string) map[string]string {
		return signed("products.create", map[string]string{"sourceHash": "src", "products": products})
	}
	del := func(hash, skus string) map[string]string {
		return signed("products.delete", map[string]string{"sourceHash": hash, "productsSKU": skus})
	}
	badSig := signed("products.delete", map[string]string{"sourceHash": "src", "productsSKU": "A"})
	badSig["productsSKU"] = "B" // changed after signing
	wrongKey := signed("products.delete", map[string]string{"sourceHash": "src", "productsSKU": "A"})
	wrongKey["apiKey"] = "someone-else"
	upperHex := signed("products.update", map[string]string{"sourceHash": "src", "products": `[{"code":"A","title":"t"}]`})
	upperHex["signature"] = strings.ToUpper(upperHex["signature"])
	without := func(name string) map[string]string {
		p := signed("products.delete", map[string]string{"sourceHash": "src", "productsSKU": "A"})
		delete(p, name)
		return p
	}

	tests := []struct {
		name   string
		params map[string]string
		code   int
		text   string // in the status or data.errors
	}{
		{"missing apiKey", without("apiKey"), 30, "apiKey"},
		{"missing signature", without("signature"), 30, "signature"},
		{"missing action", without("action"), 30, "action"},
		{"unknown apiKey", wrongKey, 41, "Invalid credentials"},
		{"signature over other values", badSig, 44, "Invalid signature"},
		{"signature in upper-case hex", upperHex, 20, ""},
		{"unknown action", signed("collection.getCollection", map[string]string{"collectionHash": "x"}), 42, "Invalid action"},
		{"missing sourceHash", signed("products.create", map[string]string{"products": `[{"type":"p","code":"Z"}]`}), 30, "sourceHash"},
		{"sourceHash over 64", signed("products.create", map[string]string{"sourceHash": strings.Repeat("h", 65), "products": `[{"type":"p","code":"Z"}]`}), 40, "64"},
		{"missing products", signed("products.create", map[string]string{"sourceHash": "src"}), 30, "products"},
		{"products not JSON", create(`[{"type":`), 40, "JSON"},
		{"products not an array", create(`{"type":"p","code":"Z"}`), 40, "JSON array"},
		{"products empty", create(`[]`), 40, "empty"},
		{"product not an object", create(`["Z"]`), 40, "not an object"},
		{"product without type", create(`[{"code":"Z"}]`), 40, "products[0].type: required"},
		{"product without code", create(`[{"type":"p"}]`), 40, "products[0].code: required"},
		{"duplicate SKU in request", create(`[{"type":"p","code":"Z"},{"type":"p","code":"Z"}]`), 40, "duplicate"},
		{"SKU already in the feed", create(`[{"type":"p","code":"A"}]`), 40, "already exists"},
		{"501 products", create("[" + strings.Join(tooMany, ",") + "]"), 51, "Too many"},
		{"numeric code refused: code is a string", create(`[{"type":"p","code":7}]`), 40, "products[0].code: want a string"},
		{"update of an unknown SKU", signed("products.update", map[string]string{"sourceHash": "src", "products": `[{"code":"Q","title":"t"}]`}), 40, "Product not found"},
		{"update of an unknown feed", signed("products.update", map[string]string{"sourceHash": "nope", "products": `[{"code":"A","title":"t"}]`}), 40, "Source not found"},
		{"missing productsSKU", signed("products.delete", map[string]string{"sourceHash": "src"}), 30, "productsSKU"},
		{"only commas", del("src", " , ,"), 40, "no SKU"},
		{"501 SKUs", del("src", strings.Join(tooManySKUs, ",")), 51, "Too many"},
		{"duplicate SKU in delete", del("src", "A,A"), 40, "duplicate"},
		{"delete from an unknown feed", del("nope", "A"), 40, "Source not found"},
		{"delete of unknown SKUs only", del("src", "X,Y"), 40, "No products found"},
		{"delete skipping a variant", del("src", "B-RED,B"), 20, "B-RED"},
	}
	s := newUnlimited(Options{})
	if err := s.Seed(testKey, "src", raws(`{"type":"p","code":"A"}`, `{"type":"p","code":"B","variants":[{"code":"B-RED","parent_code":"B"}]}`, `{"type":"p","code":"C"}`)); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := postForm(t, s, tt.params)
			text := a.Status + " " + strings.Join(a.Data.Errors, " ")
			if a.Code != tt.code || !strings.Contains(text, tt.text) {
				t.Fatalf("got %d %q, want %d containing %q", a.Code, text, tt.code, tt.text)
			}
			if a.Code != CodeOK && a.Status == "" {
				t.Fatal("an error needs a status text")
			}
		})
	}
}

// The code is a JSON number and errors an array, even when empty.
func TestAnswerShape(t *testing.T) {
	s := newUnlimited(Options{})
	form := url.Values{"action": {"products.delete"}}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/v1/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	s.ServeHTTP(rec, req)
	var raw map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	if _, isNumber := raw["code"].(float64); !isNumber || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("answer %s", rec.Body)
	}
	if _, isList := raw["data"].(map[string]any)["errors"].([]any); !isList {
		t.Fatalf("errors is not a list: %s", rec.Body)
	}
}

// An update replaces the fields it sends and keeps the others; the SKU stays.
func TestUpdateMergesTopLevelFields(t *testing.T) {
	s := newUnlimited(Options{})
	_ = s.Seed(testKey, "src", raws(`{"type":"product","code":"A","title":"Tea","sell_price":3.00,"website":{"button":true,"link":"https://a"}}`))
	a := postForm(t, s, signed("products.update", map[string]string{"sourceHash": "src", "products": `[{"code":"A","sell_price":4.00,"website":{"link":"https://b"}}]`}))
	if a.Code != CodeOK {
		t.Fatalf("answer %+v", a)
	}
	var got map[string]any
	dec := json.NewDecoder(bytes.NewReader(s.Feeds()[0].Products[0]))
	dec.UseNumber()
	_ = dec.Decode(&got)
	want := `map[code:A sell_price:4.00 title:Tea type:product website:map[link:https://b]]`
	if fmt.Sprint(got) != want {
		t.Fatalf("got %v, want %s", got, want)
	}
}

// Accounts keep their feeds apart, even under the same sourceHash.
func TestAccountsAreSeparate(t *testing.T) {
	s := newUnlimited(Options{Accounts: map[string]string{"other-key": "other-secret"}})
	_ = s.Seed(testKey, "src", raws(`{"type":"p","code":"A"}`))
	p := map[string]string{"action": "products.delete", "apiKey": "other-key", "sourceHash": "src", "productsSKU": "A"}
	p["signature"] = signature("other-secret", p)
	if a := postForm(t, s, p); a.Code != CodeInvalidData || a.Status != "Source not found" {
		t.Fatalf("another account reached the feed: %+v", a)
	}
	if len(s.Feeds()) != 1 {
		t.Fatal("feed lost")
	}
}

func TestSeedChecksProducts(t *testing.T) {
	s := newUnlimited(Options{})
	for _, bad := range [][]string{{`{"code":"A"}`}, {`{"type":"p","code":"A"}`, `{"type":"p","code":"A"}`}, {}} {
		if err := s.Seed(testKey, "src", raws(bad...)); err == nil {
			t.Fatalf("Seed(%v) accepted", bad)
		}
	}
	if err := s.Seed(testKey, strings.Repeat("h", 65), raws(`{"type":"p","code":"A"}`)); err == nil {
		t.Fatal("Seed accepted a long sourceHash")
	}
	_ = s.Seed(testKey, "src", raws(`{"type":"p","code":"A"}`))
	if err := s.Seed(testKey, "src", raws(`{"type":"p","code":"A"}`)); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("Seed of an existing SKU: %v", err)
	}
}
