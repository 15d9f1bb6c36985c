package alibabaiot

import (
	"net/http"
	"sort"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Product is a product as the simulator holds it, and as GET /_sim/state shows it.
type Product struct {
	ProductKey          string `json:"productKey"`
	ProductName         string `json:"productName"`
	Description         string `json:"description"`
	NodeType            int    `json:"nodeType"`
	DataFormat          int    `json:"dataFormat"`
	AuthType            string `json:"authType"`
	NetType             string `json:"netType"` // WIFI, CELLULAR, ETHERNET, LORA, OTHER (as CreateProduct takes it)
	ProtocolType        string `json:"protocolType"`
	ProductStatus       string `json:"productStatus"` // DEVELOPMENT_STATUS or RELEASE_STATUS
	DeviceCount         int    `json:"deviceCount"`
	IotInstanceID       string `json:"iotInstanceId"`
	AliyunCommodityCode string `json:"aliyunCommodityCode"` // iothub (basic) or iothub_senior
	CategoryKey         string `json:"categoryKey"`
	ResourceGroupID     string `json:"resourceGroupId"`
	ValidateType        int    `json:"validateType"`
	Owner               string `json:"owner"`     // the account (UID) the product belongs to
	GmtCreate           int64  `json:"gmtCreate"` // creation time, Unix milliseconds
	// ProductSecret is sent by CreateProduct and QueryProduct as the platform does, but kept out
	// of the inspection API: nothing should learn to copy secrets around.
	ProductSecret string `json:"-"`
}

// Product statuses.
const (
	StatusDevelopment = "DEVELOPMENT_STATUS"
	StatusRelease     = "RELEASE_STATUS"
)

// Business error codes the simulator answers (HTTP 200, Success false).
const (
	CodeNotExistedProduct           = "iot.prod.NotExistedProduct"
	CodeAlreadyExistedProductName   = "iot.prod.AlreadyExistedProductName"
	CodeInvalidFormattedProductKey  = "iot.prod.InvalidFormattedProductkey" // sic: lower-case k, as documented
	CodeNullProductKey              = "iot.prod.NullProductKey"
	CodeNullProductName             = "iot.prod.NullProductName"
	CodeInvalidFormattedProductName = "iot.prod.InvalidFormattedProductName"
	CodeLongProductDesc             = "iot.prod.LongProductDesc"
	CodeInvalidNodeType             = "iot.prod.InvalidNodeType"
	CodeInvalidAliyunCommodityCode  = "iot.prod.InvalidAliyunCommodityCode"
	CodeNotOpenID2Service           = "iot.prod.NotOpenID2Service"
	CodeProductCountExceedMax       = "iot.prod.ProductCountExceedMax"
	CodeInvalidFormattedParameter   = "iot.check.InvalidFormattedParameter"
	CodeInstanceNotFound            = "iot.system.InstanceNotFound"
)

// product is a stored product with its creation sequence (for a stable newest-first order).
type product struct {
	Product
	seq uint64
}

// scope is where product names are unique and quotas count: one account, one instance.
type scope struct{ owner, instance string }

type nameKey struct {
	scope
	name string
}

func (p *product) scope() scope { return scope{p.Owner, p.IotInstanceID} }

// actions maps each implemented action to its handler; the gateway checks have passed.
var actions = map[string]func(*Server, *apiRequest, Account) answer{
	ActionCreateProduct:    (*Server).createProduct,
	ActionQueryProduct:     (*Server).queryProduct,
	ActionUpdateProduct:    (*Server).updateProduct,
	ActionDeleteProduct:    (*Server).deleteProduct,
	ActionQueryProductList: (*Server).queryProductList,
}

// Allowed values of the enumerated CreateProduct parameters.
var (
	authTypes     = map[string]bool{"secret": true, "id2": true, "x509": true}
	netTypes      = map[string]bool{"WIFI": true, "CELLULAR": true, "ETHERNET": true, "LORA": true, "OTHER": true}
	protocolTypes = map[string]bool{"": true, "modbus": true, "opc-ua": true, "customize": true, "ble": true, "zigbee": true}
)

// netTypeCodes is how QueryProduct reports NetType: as an integer. LORA's number is not
// documented; 9 is a guess that no client should depend on.
var netTypeCodes = map[string]int{"WIFI": 3, "CELLULAR": 6, "ETHERNET": 7, "OTHER": 8, "LORA": 9}

// validProductName applies the documented rule: 4 to 30 characters of letters, digits,
// underscores and Chinese characters, a Chinese character counting as two.
func validProductName(name string) bool {
	n := 0
	for _, r := range name {
		switch {
		case r == '_' || r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			n++
		case unicode.Is(unicode.Han, r):
			n += 2
		default:
			return false
		}
	}
	return n >= 4 && n <= 30
}

// validProductKey accepts what looks like a ProductKey: letters and digits. Real keys are 11
// characters; how strictly the platform checks the length is not documented, so a well-formed
// key of another length is simply not found.
func validProductKey(key string) bool {
	if len(key) == 0 || len(key) > 32 {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

const maxDescription = 100

// checkInstance answers iot.system.InstanceNotFound for an instance the simulator was told does
// not exist.
func (s *Server) checkInstance(req *apiRequest, instance string) *answer {
	if instance != "" && len(s.instances) > 0 && !s.instances[instance] {
		a := req.businessFailure(CodeInstanceNotFound, "The IoT instance "+instance+" does not exist.")
		return &a
	}
	return nil
}

type createProductData struct {
	ProductKey          string
	ProductName         string
	ProductSecret       string
	NodeType            int
	DataFormat          int
	AuthType            string
	Description         string `json:",omitempty"`
	ProtocolType        string `json:",omitempty"`
	AliyunCommodityCode string
	Id2                 bool
}

type createProductResponse struct {
	RequestId  string
	Success    bool
	ProductKey string
	Data       createProductData
}

func (s *Server) createProduct(req *apiRequest, acct Account) answer {
	p := req.params
	instance := p.Get("IotInstanceId")
	if a := s.checkInstance(req, instance); a != nil {
		return *a
	}
	name := p.Get("ProductName")
	if name == "" {
		return req.businessFailure(CodeNullProductName, "The product name is empty.")
	}
	if !validProductName(name) {
		return req.businessFailure(CodeInvalidFormattedProductName,
			"The product name must be 4 to 30 characters of letters, digits, underscores and Chinese characters (a Chinese character counts as two).")
	}
	nodeType, err := strconv.Atoi(p.Get("NodeType"))
	if err != nil || (nodeType != 0 && nodeType != 1) {
		return req.businessFailure(CodeInvalidNodeType, "NodeType must be 0 (device) or 1 (gateway).")
	}
	desc := p.Get("Description")
	if utf8.RuneCountInString(desc) > maxDescription {
		return req.businessFailure(CodeLongProductDesc, "The product description must be at most 100 characters.")
	}
	// AliyunCommodityCode: "不传入此参数:表示默认创建基础版产品 ... 传入此参数:仅支持输入iothub_senior"
	// (left out: a basic product; sent: only iothub_senior), and "MQTT型实例下,不支持使用物模型,
	// 无需传入此参数" (an MQTT instance has no thing model: not to be sent)
	// (help.aliyun.com/document_detail/69123). What the platform answers to it on an MQTT
	// instance is not documented; the simulator refuses it.
	commodity := "iothub"
	if p.Has("AliyunCommodityCode") {
		commodity = p.Get("AliyunCommodityCode")
		if commodity != "iothub_senior" {
			return req.businessFailure(CodeInvalidAliyunCommodityCode, "AliyunCommodityCode must be iothub_senior or left out.")
		}
		if s.mqttInstances[instance] {
			return req.businessFailure(CodeInvalidAliyunCommodityCode, "The instance "+instance+" is an MQTT instance, which has no thing model: leave AliyunCommodityCode out.")
		}
	}
	// DataFormat is required with iothub_senior; for a basic product the default is not
	// documented, 0 (custom) is assumed.
	dataFormat := 0
	if v := p.Get("DataFormat"); v != "" {
		dataFormat, err = strconv.Atoi(v)
		if err != nil || (dataFormat != 0 && dataFormat != 1) {
			return req.businessFailure(CodeInvalidFormattedParameter, "DataFormat must be 0 (custom) or 1 (Alink JSON).")
		}
	} else if commodity == "iothub_senior" {
		return req.businessFailure(CodeInvalidFormattedParameter, "DataFormat is required when AliyunCommodityCode is iothub_senior.")
	}
	authType := firstNonEmpty(p.Get("AuthType"), "secret")
	if !authTypes[authType] {
		return req.businessFailure(CodeInvalidFormattedParameter, "AuthType must be secret, id2 or x509.")
	}
	// The simulated account has no ID² service, so asking for it fails as it does on an
	// account without the service.
	if authType == "id2" || p.Get("Id2") == "true" {
		return req.businessFailure(CodeNotOpenID2Service, "The ID² service is not activated for this account.")
	}
	netType := firstNonEmpty(p.Get("NetType"), "WIFI")
	if !netTypes[netType] {
		return req.businessFailure(CodeInvalidFormattedParameter, "NetType must be WIFI, CELLULAR, ETHERNET, LORA or OTHER.")
	}
	protocolType := p.Get("ProtocolType")
	if !protocolTypes[protocolType] {
		return req.businessFailure(CodeInvalidFormattedParameter, "ProtocolType must be modbus, opc-ua, customize, ble or zigbee.")
	}
	validateType := 1
	if v := p.Get("ValidateType"); v != "" {
		validateType, err = strconv.Atoi(v)
		if err != nil || (validateType != 1 && validateType != 2) {
			return req.businessFailure(CodeInvalidFormattedParameter, "ValidateType must be 1 or 2.")
		}
	}
	if v := p.Get("PublishAuto"); v != "" && v != "true" && v != "false" {
		return req.businessFailure(CodeInvalidFormattedParameter, "PublishAuto must be true or false.")
	}

	created, code := s.store.create(Product{
		ProductName:         name,
		Description:         desc,
		NodeType:            nodeType,
		DataFormat:          dataFormat,
		AuthType:            authType,
		NetType:             netType,
		ProtocolType:        protocolType,
		ProductStatus:       StatusDevelopment,
		IotInstanceID:       instance,
		AliyunCommodityCode: commodity,
		CategoryKey:         p.Get("CategoryKey"),
		ResourceGroupID:     p.Get("ResourceGroupId"),
		ValidateType:        validateType,
		Owner:               acct.UID,
		GmtCreate:           s.now().UnixMilli(),
	}, s.quota)
	switch code {
	case CodeAlreadyExistedProductName:
		return req.businessFailure(code, "A product named "+name+" already exists in this instance.")
	case CodeProductCountExceedMax:
		return req.businessFailure(code, "The number of products has reached the limit of this instance.")
	}
	return answer{status: http.StatusOK, body: createProductResponse{
		RequestId:  req.requestID,
		Success:    true,
		ProductKey: created.ProductKey,
		Data: createProductData{
			ProductKey:          created.ProductKey,
			ProductName:         created.ProductName,
			ProductSecret:       created.ProductSecret,
			NodeType:            created.NodeType,
			DataFormat:          created.DataFormat,
			AuthType:            created.AuthType,
			Description:         created.Description,
			ProtocolType:        created.ProtocolType,
			AliyunCommodityCode: created.AliyunCommodityCode,
			Id2:                 false,
		},
	}}
}

type queryProductData struct {
	GmtCreate           int64
	DataFormat          int
	Description         string
	DeviceCount         int
	NodeType            int
	ProductKey          string
	ProductName         string
	ProductSecret       string
	CategoryKey         string `json:",omitempty"`
	AliyunCommodityCode string
	Id2                 bool
	Owner               bool
	ProductStatus       string
	NetType             int
	AuthType            string
	ProtocolType        string
	ValidateType        int
}

type queryProductResponse struct {
	RequestId string
	Success   bool
	Data      queryProductData
}

// productKeyParam returns the ProductKey a call names once the instance and the key's form are
// checked, or the business error the platform answers.
func (s *Server) productKeyParam(req *apiRequest) (string, *answer) {
	if a := s.checkInstance(req, req.params.Get("IotInstanceId")); a != nil {
		return "", a
	}
	key := req.params.Get("ProductKey")
	if key == "" {
		a := req.businessFailure(CodeNullProductKey, "The ProductKey is empty.")
		return "", &a
	}
	if !validProductKey(key) {
		a := req.businessFailure(CodeInvalidFormattedProductKey, "The ProductKey is not well formed.")
		return "", &a
	}
	return key, nil
}

// find returns the product key names in the caller's account and instance.
func (s *Server) find(req *apiRequest, acct Account, key string) (Product, *answer) {
	p, ok := s.store.get(key, scope{acct.UID, req.params.Get("IotInstanceId")})
	if !ok {
		a := req.businessFailure(CodeNotExistedProduct, "The product does not exist.")
		return Product{}, &a
	}
	return p, nil
}

// lookup is productKeyParam then find.
func (s *Server) lookup(req *apiRequest, acct Account) (Product, *answer) {
	key, failure := s.productKeyParam(req)
	if failure != nil {
		return Product{}, failure
	}
	return s.find(req, acct, key)
}

func (s *Server) queryProduct(req *apiRequest, acct Account) answer {
	p, failure := s.lookup(req, acct)
	if failure != nil {
		return *failure
	}
	return answer{status: http.StatusOK, body: queryProductResponse{
		RequestId: req.requestID,
		Success:   true,
		Data: queryProductData{
			GmtCreate:           p.GmtCreate,
			DataFormat:          p.DataFormat,
			Description:         p.Description,
			DeviceCount:         p.DeviceCount,
			NodeType:            p.NodeType,
			ProductKey:          p.ProductKey,
			ProductName:         p.ProductName,
			ProductSecret:       p.ProductSecret,
			CategoryKey:         p.CategoryKey,
			AliyunCommodityCode: p.AliyunCommodityCode,
			Owner:               true,
			ProductStatus:       p.ProductStatus,
			NetType:             netTypeCodes[p.NetType],
			AuthType:            p.AuthType,
			ProtocolType:        p.ProtocolType,
			ValidateType:        p.ValidateType,
		},
	}}
}

type plainResponse struct {
	RequestId string
	Success   bool
}

func (s *Server) updateProduct(req *apiRequest, acct Account) answer {
	p := req.params
	// The parameters are checked before the product is looked up.
	key, failure := s.productKeyParam(req)
	if failure != nil {
		return *failure
	}
	name := p.Get("ProductName")
	if name == "" {
		return req.businessFailure(CodeNullProductName, "The product name is empty.")
	}
	if !validProductName(name) {
		return req.businessFailure(CodeInvalidFormattedProductName,
			"The product name must be 4 to 30 characters of letters, digits, underscores and Chinese characters (a Chinese character counts as two).")
	}
	// "Description ... must be 1 to 100 characters in length" (help.aliyun.com/document_detail/69267):
	// sent, it may not be empty, so a description cannot be cleared.
	if p.Has("Description") && p.Get("Description") == "" {
		return req.businessFailure(CodeInvalidFormattedParameter, "The product description must be 1 to 100 characters.")
	}
	if utf8.RuneCountInString(p.Get("Description")) > maxDescription {
		return req.businessFailure(CodeLongProductDesc, "The product description must be at most 100 characters.")
	}
	current, failure := s.find(req, acct, key)
	if failure != nil {
		return *failure
	}
	patch := ProductPatch{ProductName: &name}
	// A Description parameter that is present replaces the description; one that is absent
	// leaves it alone.
	if p.Has("Description") {
		desc := p.Get("Description")
		patch.Description = &desc
	}
	if _, err := s.store.patch(current.ProductKey, patch); err == ErrNameTaken {
		return req.businessFailure(CodeAlreadyExistedProductName, "A product named "+name+" already exists in this instance.")
	} else if err != nil {
		return req.businessFailure(CodeNotExistedProduct, "The product does not exist.")
	}
	return answer{status: http.StatusOK, body: plainResponse{RequestId: req.requestID, Success: true}}
}

// deleteProduct deletes the product whatever its status or device count: the documentation does
// not say the platform refuses either, so the simulator does not.
func (s *Server) deleteProduct(req *apiRequest, acct Account) answer {
	current, failure := s.lookup(req, acct)
	if failure != nil {
		return *failure
	}
	if !s.store.delete(current.ProductKey) {
		// Deleted by a concurrent call since the lookup.
		return req.businessFailure(CodeNotExistedProduct, "The product does not exist.")
	}
	return answer{status: http.StatusOK, body: plainResponse{RequestId: req.requestID, Success: true}}
}

type productInfo struct {
	AuthType    string
	DataFormat  int
	Description string
	DeviceCount int
	GmtCreate   int64
	NodeType    int
	ProductKey  string
	ProductName string
}

type productList struct {
	ProductInfo []productInfo
}

type productListData struct {
	CurrentPage int
	PageCount   int
	PageSize    int
	Total       int
	List        productList
}

type queryProductListResponse struct {
	RequestId string
	Success   bool
	Data      productListData
}

const maxPageSize = 200

func (s *Server) queryProductList(req *apiRequest, acct Account) answer {
	p := req.params
	instance := p.Get("IotInstanceId")
	if a := s.checkInstance(req, instance); a != nil {
		return *a
	}
	page, err := strconv.Atoi(p.Get("CurrentPage"))
	if err != nil || page < 1 {
		return req.businessFailure(CodeInvalidFormattedParameter, "CurrentPage must be a positive integer.")
	}
	size, err := strconv.Atoi(p.Get("PageSize"))
	if err != nil || size < 1 || size > maxPageSize {
		return req.businessFailure(CodeInvalidFormattedParameter, "PageSize must be between 1 and 200.")
	}
	all := s.store.list(scope{acct.UID, instance}, p.Get("AliyunCommodityCode"), p.Get("ResourceGroupId"))
	data := productListData{
		CurrentPage: page,
		PageSize:    size,
		Total:       len(all),
		PageCount:   (len(all) + size - 1) / size,
		List:        productList{ProductInfo: []productInfo{}},
	}
	// A page past the last is empty. Comparing page numbers, not offsets, keeps a huge
	// CurrentPage from overflowing (page-1)*size into a negative index.
	start := len(all)
	if page-1 <= len(all)/size {
		start = (page - 1) * size
	}
	for i := start; i < min(start+size, len(all)); i++ {
		x := all[i]
		data.List.ProductInfo = append(data.List.ProductInfo, productInfo{
			AuthType:    x.AuthType,
			DataFormat:  x.DataFormat,
			Description: x.Description,
			DeviceCount: x.DeviceCount,
			GmtCreate:   x.GmtCreate,
			NodeType:    x.NodeType,
			ProductKey:  x.ProductKey,
			ProductName: x.ProductName,
		})
	}
	return answer{status: http.StatusOK, body: queryProductListResponse{RequestId: req.requestID, Success: true, Data: data}}
}

// create stores p with a fresh ProductKey and ProductSecret, or returns the business error code
// that prevents it.
func (st *store) create(p Product, quota int) (Product, string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	sc := scope{p.Owner, p.IotInstanceID}
	nk := nameKey{sc, p.ProductName}
	if _, taken := st.names[nk]; taken {
		return Product{}, CodeAlreadyExistedProductName
	}
	if quota > 0 && st.counts[sc] >= quota {
		return Product{}, CodeProductCountExceedMax
	}
	if p.ProductKey == "" {
		for {
			p.ProductKey = newProductKey()
			if _, clash := st.products[p.ProductKey]; !clash {
				break
			}
		}
	} else if _, clash := st.products[p.ProductKey]; clash {
		return Product{}, CodeAlreadyExistedProductName
	}
	if p.ProductSecret == "" {
		p.ProductSecret = newProductSecret()
	}
	st.seq++
	st.products[p.ProductKey] = &product{Product: p, seq: st.seq}
	st.names[nk] = p.ProductKey
	st.counts[sc]++
	return p, ""
}

// get returns the product with key if it belongs to sc: another account's or another instance's
// product does not exist for the caller.
func (st *store) get(key string, sc scope) (Product, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	p, ok := st.products[key]
	if !ok || p.scope() != sc {
		return Product{}, false
	}
	return p.Product, true
}

func (st *store) delete(key string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	p, ok := st.products[key]
	if !ok {
		return false
	}
	delete(st.products, key)
	delete(st.names, nameKey{p.scope(), p.ProductName})
	st.counts[p.scope()]--
	return true
}

// list returns the products of sc, newest first, optionally filtered.
func (st *store) list(sc scope, commodity, resourceGroup string) []Product {
	st.mu.Lock()
	defer st.mu.Unlock()
	matched := make([]*product, 0, st.counts[sc])
	for _, p := range st.products {
		if p.scope() != sc ||
			commodity != "" && p.AliyunCommodityCode != commodity ||
			resourceGroup != "" && p.ResourceGroupID != resourceGroup {
			continue
		}
		matched = append(matched, p)
	}
	sort.Slice(matched, func(i, j int) bool { return matched[i].seq > matched[j].seq })
	// Copied under the lock: a call being served may change a product meanwhile.
	out := make([]Product, len(matched))
	for i, p := range matched {
		out[i] = p.Product
	}
	return out
}

// all returns every product, oldest first.
func (st *store) all() []Product {
	st.mu.Lock()
	defer st.mu.Unlock()
	matched := make([]*product, 0, len(st.products))
	for _, p := range st.products {
		matched = append(matched, p)
	}
	sort.Slice(matched, func(i, j int) bool { return matched[i].seq < matched[j].seq })
	// Copied under the lock: a call being served may change a product meanwhile.
	out := make([]Product, len(matched))
	for i, p := range matched {
		out[i] = p.Product
	}
	return out
}

// patch changes the fields set in pp. A new name must be valid and free in the product's scope.
func (st *store) patch(key string, pp ProductPatch) (Product, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	p, ok := st.products[key]
	if !ok {
		return Product{}, ErrProductNotFound
	}
	if pp.ProductName != nil && *pp.ProductName != p.ProductName {
		nk := nameKey{p.scope(), *pp.ProductName}
		if _, taken := st.names[nk]; taken {
			return Product{}, ErrNameTaken
		}
		delete(st.names, nameKey{p.scope(), p.ProductName})
		st.names[nk] = key
		p.ProductName = *pp.ProductName
	}
	if pp.Description != nil {
		p.Description = *pp.Description
	}
	if pp.DeviceCount != nil {
		p.DeviceCount = *pp.DeviceCount
	}
	if pp.ProductStatus != nil {
		p.ProductStatus = *pp.ProductStatus
	}
	return p.Product, nil
}
