package alibaba

import (
	"context"
	"fmt"
	"testing"

	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

func intPtr(n int) *int { return &n }

func TestProductLifecycle(t *testing.T) {
	e := newTestEnv(t, alibabaiot.Options{}, Options{})
	c, ctx := e.client, context.Background()

	created, id, err := c.CreateProduct(ctx, CreateProductInput{
		ProductName: "lifecycle_lamp", NodeType: 1, Description: "first",
		AliyunCommodityCode: "iothub_senior", DataFormat: intPtr(1), NetType: "CELLULAR",
	})
	if err != nil {
		t.Fatal(err)
	}
	if created.ProductKey == "" || created.ProductName != "lifecycle_lamp" || created.NodeType != 1 || created.DataFormat != 1 {
		t.Errorf("created %+v", created)
	}
	if log := e.callsOf(ActionCreateProduct); len(log) != 1 || log[0].RequestID != id || id == "" {
		t.Errorf("RequestId %q, call log %+v", id, log)
	}

	got, _, err := c.QueryProduct(ctx, created.ProductKey)
	if err != nil {
		t.Fatal(err)
	}
	if got.ProductName != "lifecycle_lamp" || got.Description != "first" || got.NodeType != 1 || got.DataFormat != 1 ||
		got.NetType != "CELLULAR" || got.ProductStatus != "DEVELOPMENT_STATUS" || got.DeviceCount != 0 ||
		got.AuthType != "secret" || got.AliyunCommodityCode != "iothub_senior" || got.GmtCreate.IsZero() {
		t.Errorf("queried %+v", got)
	}

	// Update always sends the name. An empty description is never sent (the platform takes 1
	// to 100 characters and refuses an empty one), so the product keeps the one it has.
	if _, err := c.UpdateProduct(ctx, created.ProductKey, "lifecycle_renamed", ""); err != nil {
		t.Fatal(err)
	}
	upd := e.callsOf(ActionUpdateProduct)[0].Parameters
	if upd["ProductName"] != "lifecycle_renamed" || upd["ProductKey"] != created.ProductKey {
		t.Errorf("UpdateProduct sent %v", upd)
	}
	if d, ok := upd["Description"]; ok {
		t.Errorf("UpdateProduct sent an empty Description %q: %v", d, upd)
	}
	if got, _, _ := c.QueryProduct(ctx, created.ProductKey); got.ProductName != "lifecycle_renamed" || got.Description != "first" {
		t.Errorf("after update %+v, want the name changed and the description kept", got)
	}
	// A name-only rename keeps a description, too; a new one replaces it.
	if _, err := c.UpdateProduct(ctx, created.ProductKey, "lifecycle_renamed", "second"); err != nil {
		t.Fatal(err)
	}
	if upd := e.callsOf(ActionUpdateProduct)[1].Parameters; upd["Description"] != "second" || upd["ProductName"] != "lifecycle_renamed" {
		t.Errorf("UpdateProduct sent %v, want the name and the new description", upd)
	}
	if got, _, _ := c.QueryProduct(ctx, created.ProductKey); got.Description != "second" {
		t.Errorf("after update %+v, want description second", got)
	}

	found, _, err := c.FindProductByName(ctx, "lifecycle_renamed")
	if err != nil || found == nil || found.ProductKey != created.ProductKey {
		t.Fatalf("FindProductByName = %+v, %v", found, err)
	}

	id, err = c.DeleteProduct(ctx, created.ProductKey)
	if err != nil || id == "" {
		t.Fatalf("DeleteProduct = %q, %v", id, err)
	}
	id, err = c.DeleteProduct(ctx, created.ProductKey)
	if !apierr.Is(err, apierr.NotFound) || id == "" || apierr.RequestIDOf(err) != id {
		t.Errorf("second DeleteProduct = %q, %v; want NotFound with its RequestId", id, err)
	}
	if found, _, err := c.FindProductByName(ctx, "lifecycle_renamed"); found != nil || err != nil {
		t.Errorf("FindProductByName after delete = %+v, %v", found, err)
	}
}

func TestFindProductByNameWalksEveryPage(t *testing.T) {
	e := newTestEnv(t, alibabaiot.Options{}, Options{})
	var oldest string
	for i := range 450 {
		p, err := e.sim.AddProduct(alibabaiot.Product{ProductName: fmt.Sprintf("paged_%03d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			oldest = p.ProductKey
		}
	}
	tests := []struct {
		name      string
		find      string
		wantKey   string
		wantPages int
	}{
		{"the oldest product is on the last page", "paged_000", oldest, 3},
		{"the newest is on the first", "paged_449", "", 1},
		{"a name nobody has needs every page", "no_such_product", "", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.sim.ClearCalls()
			found, _, err := e.client.FindProductByName(context.Background(), tt.find)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.find == "no_such_product" && found != nil:
				t.Errorf("found %+v", found)
			case tt.find != "no_such_product" && (found == nil || found.ProductName != tt.find):
				t.Errorf("found %+v", found)
			case tt.wantKey != "" && found.ProductKey != tt.wantKey:
				t.Errorf("found key %s, want %s", found.ProductKey, tt.wantKey)
			}
			calls := e.callsOf(ActionQueryProductList)
			if len(calls) != tt.wantPages {
				t.Errorf("%d QueryProductList calls, want %d", len(calls), tt.wantPages)
			}
			for i, c := range calls {
				if c.Parameters["PageSize"] != "200" || c.Parameters["CurrentPage"] != fmt.Sprint(i+1) {
					t.Errorf("call %d asked %v", i+1, c.Parameters)
				}
			}
		})
	}
}

func TestIotInstancesAreSeparate(t *testing.T) {
	e := newTestEnv(t, alibabaiot.Options{}, Options{})
	ctx := context.Background()
	inA, inB := e.client.WithIotInstance("iot-cn-aaaa"), e.client.WithIotInstance("iot-cn-bbbb")

	a, _, err := inA.CreateProduct(ctx, CreateProductInput{ProductName: "same_name", NodeType: 0})
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := inB.CreateProduct(ctx, CreateProductInput{ProductName: "same_name", NodeType: 0})
	if err != nil {
		t.Fatalf("the same name in another instance: %v", err)
	}
	if a.ProductKey == b.ProductKey || a.IotInstanceID != "iot-cn-aaaa" || b.IotInstanceID != "iot-cn-bbbb" {
		t.Errorf("a %+v, b %+v", a, b)
	}
	if found, _, _ := inA.FindProductByName(ctx, "same_name"); found == nil || found.ProductKey != a.ProductKey {
		t.Errorf("found in A: %+v", found)
	}
	if _, _, err := inB.QueryProduct(ctx, a.ProductKey); !apierr.Is(err, apierr.NotFound) {
		t.Errorf("A's product queried in B: %v", err)
	}
	if _, _, err := e.client.QueryProduct(ctx, a.ProductKey); !apierr.Is(err, apierr.NotFound) {
		t.Errorf("A's product queried without an instance: %v", err)
	}
	if e.client.IotInstanceID() != "" || inA.IotInstanceID() != "iot-cn-aaaa" {
		t.Error("WithIotInstance changed the original client")
	}

	for _, c := range e.callsOf(ActionCreateProduct) {
		if c.Parameters["IotInstanceId"] == "" {
			t.Errorf("CreateProduct without IotInstanceId: %v", c.Parameters)
		}
	}
	e.sim.ClearCalls()
	// A's product is not found outside its instance, as by QueryProduct above.
	if _, err := e.client.DeleteProduct(ctx, a.ProductKey); !apierr.Is(err, apierr.NotFound) {
		t.Errorf("A's product deleted without an instance: %v", err)
	}
	if p := e.callsOf(ActionDeleteProduct)[0].Parameters; p["IotInstanceId"] != "" {
		t.Errorf("a client without an instance sent IotInstanceId: %v", p)
	}
	for _, p := range e.sim.Products() {
		if p.ProductName == "same_name" && p.IotInstanceID == "" {
			t.Errorf("product outside any instance: %+v", p)
		}
	}
}

func TestDriftOnThePlatformIsVisible(t *testing.T) {
	e := newTestEnv(t, alibabaiot.Options{}, Options{})
	ctx := context.Background()
	p, _, err := e.client.CreateProduct(ctx, CreateProductInput{ProductName: "drifting", NodeType: 0})
	if err != nil {
		t.Fatal(err)
	}
	name, devices, status := "renamed_in_console", 7, alibabaiot.StatusRelease
	if _, err := e.sim.PatchProduct(p.ProductKey, alibabaiot.ProductPatch{ProductName: &name, DeviceCount: &devices, ProductStatus: &status}); err != nil {
		t.Fatal(err)
	}
	got, _, err := e.client.QueryProduct(ctx, p.ProductKey)
	if err != nil || got.ProductName != name || got.DeviceCount != 7 || got.ProductStatus != status {
		t.Errorf("QueryProduct = %+v, %v", got, err)
	}
	// A product with devices can still be deleted (unverified on the platform; the simulator allows it).
	if _, err := e.client.DeleteProduct(ctx, p.ProductKey); err != nil {
		t.Errorf("DeleteProduct: %v", err)
	}
}
