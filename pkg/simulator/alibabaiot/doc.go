// Package alibabaiot is a protocol-faithful fake of the Alibaba Cloud IoT Platform product API
// (version 2018-01-20, RPC style), for tests, benchmarks and the local development environment.
//
// It answers what the official SDK sends, the way the platform answers it:
//
//   - POST (or GET) to "/", parameters in the query string and/or a form body.
//   - Requests signed with V3 (ACS3-HMAC-SHA256 in the Authorization header, what the v6 SDK sends
//     by default) or with the legacy V1 query signature (HMAC-SHA1, SignatureMethod & co.).
//     An unknown AccessKeyId is InvalidAccessKeyId.NotFound (HTTP 404), a wrong secret is
//     SignatureDoesNotMatch (HTTP 403), a reused nonce SignatureNonceUsed, a clock more than 15
//     minutes off InvalidTimeStamp.Expired.
//   - CreateProduct, QueryProduct, UpdateProduct, DeleteProduct and QueryProductList with the
//     documented validation. Business errors are HTTP 200 {RequestId, Success:false, Code,
//     ErrorMessage}; gateway errors are HTTP 4xx/5xx {RequestId, HostId, Code, Message, Recommend}.
//   - The documented per-account, per-action QPS, counted in 1-second windows; over the limit is
//     Throttling.User (HTTP 400). QueryProductList pages where CurrentPage x PageSize >= 100,000
//     count against a further limit of 2 per second (LimitQueryProductListDeep).
//
// Besides the API it serves an inspection API under /_sim/ (see inspect.go): the products, the
// call log, fault injection and drift (renaming a product, adding devices, releasing it), and the
// same as Go methods for in-process tests.
//
// A command needs nothing more than
//
//	srv := alibabaiot.New(alibabaiot.Options{AccessKeyID: id, AccessKeySecret: secret})
//	http.ListenAndServe("127.0.0.1:18080", srv)
//
// Options worth a flag: AccessKeyID and AccessKeySecret (the accepted credentials), QPS (per
// action; 0 or negative = unlimited), MaxProductsPerInstance, IotInstanceIDs, ClockSkew.
//
// Behaviour the public documentation does not settle, and what the simulator does:
//   - Deleting a product that still has devices, or one in RELEASE_STATUS: the delete succeeds.
//   - The order of QueryProductList: newest first (by creation time, then ProductKey).
//   - An IotInstanceId the account does not have: accepted as its own namespace unless
//     Options.IotInstanceIDs lists the instances, then iot.system.InstanceNotFound.
//   - Responses are always JSON, whatever Format asks for.
package alibabaiot
