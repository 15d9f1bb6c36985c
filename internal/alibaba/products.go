package alibaba

import (
	"context"
	"strconv"
	"time"

	iot "github.com/alibabacloud-go/iot-20180120/v6/client"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"
)

// Product is an IoT product as the platform reports it. Fields an answer does not carry are
// left zero: CreateProduct reports no status or device count, QueryProductList no status,
// network or protocol.
//
// The ProductSecret the platform also sends is deliberately dropped: the operator has no use
// for it, and what it does not hold it cannot leak.
type Product struct {
	ProductKey    string
	ProductName   string
	Description   string
	NodeType      int // 0 device, 1 gateway
	DataFormat    int // 0 custom, 1 Alink JSON
	AuthType      string
	NetType       string // WIFI, CELLULAR, ETHERNET, OTHER (QueryProduct's numbers translated)
	ProtocolType  string
	ProductStatus string // DEVELOPMENT_STATUS or RELEASE_STATUS
	DeviceCount   int
	// AliyunCommodityCode is the edition: iothub_senior, or iothub (basic).
	AliyunCommodityCode string
	CategoryKey         string
	ValidateType        int
	GmtCreate           time.Time
	IotInstanceID       string // the instance the client asked in
}

// CreateProductInput is what CreateProduct sends. Zero values are left out, so the platform
// applies its defaults.
type CreateProductInput struct {
	ProductName string // required: 4-30 letters, digits, underscores (a Chinese character counts 2)
	NodeType    int    // required: 0 device, 1 gateway
	Description string // at most 100 characters
	// DataFormat is 0 (custom) or 1 (Alink JSON); required with AliyunCommodityCode
	// iothub_senior. Nil leaves it out.
	DataFormat          *int
	AliyunCommodityCode string // iothub_senior, or empty for the basic edition
	AuthType            string // secret (default), id2, x509
	NetType             string // WIFI (default), CELLULAR, ETHERNET, OTHER
	ProtocolType        string // modbus, opc-ua, customize, ble, zigbee
	CategoryKey         string
	ResourceGroupID     string
	PublishAuto         *bool
	ValidateType        *int // 1 weak (default), 2 none
}

// ProductPage is one page of QueryProductList.
type ProductPage struct {
	CurrentPage int
	PageSize    int
	PageCount   int
	Total       int
	Products    []Product
}

// MaxPageSize is the largest page QueryProductList serves.
const MaxPageSize = 200

// netTypes translates QueryProduct's numeric NetType into CreateProduct's names.
var netTypes = map[int32]string{3: "WIFI", 6: "CELLULAR", 7: "ETHERNET", 8: "OTHER"}

func netTypeName(n *int32) string {
	if n == nil {
		return ""
	}
	if name, ok := netTypes[*n]; ok {
		return name
	}
	// An undocumented number (LoRa has none): keep it visible rather than guess.
	return strconv.Itoa(int(*n))
}

func int32Ptr(p *int) *int32 {
	if p == nil {
		return nil
	}
	return tea.Int32(int32(*p))
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return tea.String(s)
}

func millis(ms *int64) time.Time {
	if ms == nil || *ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(*ms).UTC()
}

// CreateProduct creates a product and returns it with the RequestId of the call.
func (c *Client) CreateProduct(ctx context.Context, in CreateProductInput) (Product, string, error) {
	req := &iot.CreateProductRequest{
		IotInstanceId:       c.instance(),
		ProductName:         tea.String(in.ProductName),
		NodeType:            tea.Int32(int32(in.NodeType)),
		Description:         optional(in.Description),
		DataFormat:          int32Ptr(in.DataFormat),
		AliyunCommodityCode: optional(in.AliyunCommodityCode),
		AuthType:            optional(in.AuthType),
		NetType:             optional(in.NetType),
		ProtocolType:        optional(in.ProtocolType),
		CategoryKey:         optional(in.CategoryKey),
		ResourceGroupId:     optional(in.ResourceGroupID),
		PublishAuto:         in.PublishAuto,
		ValidateType:        int32Ptr(in.ValidateType),
	}
	resp, requestID, err := call(ctx, c, ActionCreateProduct, func(rt *util.RuntimeOptions) (*iot.CreateProductResponse, error) {
		return c.sdkForCall().CreateProductWithOptions(req, rt)
	}, func(r *iot.CreateProductResponse) answer {
		if b := r.Body; b != nil {
			return answerFrom(r.StatusCode, b.Success, b.Code, b.ErrorMessage, b.RequestId)
		}
		return answer{httpStatus: int(tea.Int32Value(r.StatusCode))}
	})
	if err != nil {
		return Product{}, requestID, err
	}
	b := resp.Body
	p := Product{ProductKey: tea.StringValue(b.ProductKey), IotInstanceID: c.instanceID}
	if d := b.Data; d != nil {
		p.ProductKey = firstNonEmpty(tea.StringValue(d.ProductKey), p.ProductKey)
		p.ProductName = tea.StringValue(d.ProductName)
		p.Description = tea.StringValue(d.Description)
		p.NodeType = int(tea.Int32Value(d.NodeType))
		p.DataFormat = int(tea.Int32Value(d.DataFormat))
		p.AuthType = tea.StringValue(d.AuthType)
		p.ProtocolType = tea.StringValue(d.ProtocolType)
		p.AliyunCommodityCode = tea.StringValue(d.AliyunCommodityCode)
	}
	if p.ProductKey == "" {
		return Product{}, requestID, emptyAnswer(ActionCreateProduct, int(tea.Int32Value(resp.StatusCode)))
	}
	return p, requestID, nil
}

// QueryProduct reads one product. A product that does not exist is an apierr.NotFound error.
func (c *Client) QueryProduct(ctx context.Context, productKey string) (Product, string, error) {
	req := &iot.QueryProductRequest{IotInstanceId: c.instance(), ProductKey: tea.String(productKey)}
	resp, requestID, err := call(ctx, c, ActionQueryProduct, func(rt *util.RuntimeOptions) (*iot.QueryProductResponse, error) {
		return c.sdkForCall().QueryProductWithOptions(req, rt)
	}, func(r *iot.QueryProductResponse) answer {
		if b := r.Body; b != nil {
			return answerFrom(r.StatusCode, b.Success, b.Code, b.ErrorMessage, b.RequestId)
		}
		return answer{httpStatus: int(tea.Int32Value(r.StatusCode))}
	})
	if err != nil {
		return Product{}, requestID, err
	}
	d := resp.Body.Data
	if d == nil {
		return Product{}, requestID, emptyAnswer(ActionQueryProduct, int(tea.Int32Value(resp.StatusCode)))
	}
	return Product{
		ProductKey:          tea.StringValue(d.ProductKey),
		ProductName:         tea.StringValue(d.ProductName),
		Description:         tea.StringValue(d.Description),
		NodeType:            int(tea.Int32Value(d.NodeType)),
		DataFormat:          int(tea.Int32Value(d.DataFormat)),
		AuthType:            tea.StringValue(d.AuthType),
		NetType:             netTypeName(d.NetType),
		ProtocolType:        tea.StringValue(d.ProtocolType),
		ProductStatus:       tea.StringValue(d.ProductStatus),
		DeviceCount:         int(tea.Int32Value(d.DeviceCount)),
		AliyunCommodityCode: tea.StringValue(d.AliyunCommodityCode),
		CategoryKey:         tea.StringValue(d.CategoryKey),
		ValidateType:        int(tea.Int32Value(d.ValidateType)),
		GmtCreate:           millis(d.GmtCreate),
		IotInstanceID:       c.instanceID,
	}, requestID, nil
}

// UpdateProduct sets a product's name and description, the only fields that can change after
// creation. The platform requires the name on every update, so it is always sent. An empty
// description is not sent, so the product keeps the one it has: the platform cannot clear a
// description.
func (c *Client) UpdateProduct(ctx context.Context, productKey, productName, description string) (string, error) {
	req := &iot.UpdateProductRequest{
		IotInstanceId: c.instance(),
		ProductKey:    tea.String(productKey),
		// ProductName is required: "ProductName String Yes ... The new product name"
		// (help.aliyun.com/document_detail/69267), so it is resent even when unchanged.
		ProductName: tea.String(productName),
		// Description is optional, and when sent "must be 1 to 100 characters in length"
		// (help.aliyun.com/document_detail/69267): an empty one is left out, never sent.
		Description: optional(description),
	}
	_, requestID, err := call(ctx, c, ActionUpdateProduct, func(rt *util.RuntimeOptions) (*iot.UpdateProductResponse, error) {
		return c.sdkForCall().UpdateProductWithOptions(req, rt)
	}, func(r *iot.UpdateProductResponse) answer {
		if b := r.Body; b != nil {
			return answerFrom(r.StatusCode, b.Success, b.Code, b.ErrorMessage, b.RequestId)
		}
		return answer{httpStatus: int(tea.Int32Value(r.StatusCode))}
	})
	return requestID, err
}

// DeleteProduct deletes a product. A product that does not exist is an apierr.NotFound error,
// which a caller deleting it counts as done.
func (c *Client) DeleteProduct(ctx context.Context, productKey string) (string, error) {
	req := &iot.DeleteProductRequest{IotInstanceId: c.instance(), ProductKey: tea.String(productKey)}
	_, requestID, err := call(ctx, c, ActionDeleteProduct, func(rt *util.RuntimeOptions) (*iot.DeleteProductResponse, error) {
		return c.sdkForCall().DeleteProductWithOptions(req, rt)
	}, func(r *iot.DeleteProductResponse) answer {
		if b := r.Body; b != nil {
			return answerFrom(r.StatusCode, b.Success, b.Code, b.ErrorMessage, b.RequestId)
		}
		return answer{httpStatus: int(tea.Int32Value(r.StatusCode))}
	})
	return requestID, err
}

// QueryProductList reads one page (from 1) of the instance's products; pageSize is 1 to 200.
func (c *Client) QueryProductList(ctx context.Context, page, pageSize int) (ProductPage, string, error) {
	req := &iot.QueryProductListRequest{
		IotInstanceId: c.instance(),
		CurrentPage:   tea.Int32(int32(page)),
		PageSize:      tea.Int32(int32(pageSize)),
	}
	var limits []string
	if deepPage(page, pageSize) {
		limits = append(limits, LimitQueryProductListDeep)
	}
	resp, requestID, err := call(ctx, c, ActionQueryProductList, func(rt *util.RuntimeOptions) (*iot.QueryProductListResponse, error) {
		return c.sdkForCall().QueryProductListWithOptions(req, rt)
	}, func(r *iot.QueryProductListResponse) answer {
		if b := r.Body; b != nil {
			return answerFrom(r.StatusCode, b.Success, b.Code, b.ErrorMessage, b.RequestId)
		}
		return answer{httpStatus: int(tea.Int32Value(r.StatusCode))}
	}, limits...)
	if err != nil {
		return ProductPage{}, requestID, err
	}
	out := ProductPage{CurrentPage: page, PageSize: pageSize}
	if d := resp.Body.Data; d != nil {
		out.CurrentPage = int(tea.Int32Value(d.CurrentPage))
		out.PageSize = int(tea.Int32Value(d.PageSize))
		out.PageCount = int(tea.Int32Value(d.PageCount))
		out.Total = int(tea.Int32Value(d.Total))
		if d.List != nil {
			for _, x := range d.List.ProductInfo {
				if x == nil {
					continue
				}
				out.Products = append(out.Products, Product{
					ProductKey:    tea.StringValue(x.ProductKey),
					ProductName:   tea.StringValue(x.ProductName),
					Description:   tea.StringValue(x.Description),
					NodeType:      int(tea.Int32Value(x.NodeType)),
					DataFormat:    int(tea.Int32Value(x.DataFormat)),
					AuthType:      tea.StringValue(x.AuthType),
					DeviceCount:   int(tea.Int32Value(x.DeviceCount)),
					GmtCreate:     millis(x.GmtCreate),
					IotInstanceID: c.instanceID,
				})
			}
		}
	}
	return out, requestID, nil
}

// maxListPages stops a walk of the pages on an API that keeps announcing more: 1000 pages
// of 200 is far beyond any account's quota of products.
const maxListPages = 1000

// EachPage reads the instance's products page after page (200 per call, from the first) and
// hands each page to fn until fn says it has seen enough, the last page is read, or a call
// fails. It returns the last call's RequestId.
//
// Pages are read one after another, not as a snapshot: a product created or deleted meanwhile
// shifts the pages, so a concurrent change can hide a product from one walk.
func (c *Client) EachPage(ctx context.Context, fn func(ProductPage) (more bool)) (string, error) {
	var lastID string
	for page := 1; page <= maxListPages; page++ {
		pg, id, err := c.QueryProductList(ctx, page, MaxPageSize)
		lastID = id
		if err != nil {
			return id, err
		}
		if !fn(pg) || len(pg.Products) == 0 || page >= pg.PageCount {
			break
		}
	}
	return lastID, nil
}

// FindProductByName walks the instance's products (EachPage) and returns the one named name,
// or nil when there is none. The RequestId is the last call's. The engine only looks up a
// product it created itself and is not deleting, which no shift of the pages can hide for
// long.
func (c *Client) FindProductByName(ctx context.Context, name string) (*Product, string, error) {
	var found *Product
	id, err := c.EachPage(ctx, func(pg ProductPage) bool {
		for i := range pg.Products {
			if pg.Products[i].ProductName == name {
				p := pg.Products[i]
				found = &p
				return false
			}
		}
		return true
	})
	if err != nil {
		return nil, id, err
	}
	return found, id, nil
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
