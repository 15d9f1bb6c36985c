// Package alibaba is the operator's client of the Alibaba Cloud IoT Platform product API
// (version 2018-01-20), over the official SDK (github.com/alibabacloud-go/iot-20180120/v6).
//
// It adds what the lifecycle engine needs and the SDK leaves out:
//
//   - every failure is an *apierr.Error with a class (not found, conflict, throttled, retryable,
//     terminal), including the business errors the SDK returns as success (HTTP 200 with
//     Success false);
//   - clients are cached per credentials, endpoint and region, so a rotated Secret takes
//     effect on the next call without a restart;
//   - calls wait for the documented per-account, per-action QPS, shared by every client of the
//     account;
//   - the SDK never retries on its own (the engine decides), and every call has a timeout;
//   - every call is counted and timed in the operator's metrics (internal/metrics) and logged
//     as one line through the context's logger, with the RequestId;
//   - no secret ever appears in an error or a log line;
//   - redirects are refused, never followed, and the endpoint is https unless it is a
//     loopback address (internal/egress).
package alibaba
