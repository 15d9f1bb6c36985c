package alibaba

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/alibabacloud-go/tea/tea"

	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
)

// Every code of the shared API facts (notes/api-facts.md, Alibaba section), with the status it
// comes with and the class the engine acts on.
func TestEveryDocumentedCodeHasItsClass(t *testing.T) {
	tests := []struct {
		code   string
		status int
		want   apierr.Class
	}{
		// Business errors: HTTP 200, Success false.
		{"iot.prod.NotExistedProduct", 200, apierr.NotFound},
		{"iot.prod.AlreadyExistedProductName", 200, apierr.AlreadyExists},
		{"iot.prod.InvalidFormattedProductkey", 200, apierr.TerminalInput},
		{"iot.prod.NullProductKey", 200, apierr.TerminalInput},
		{"iot.prod.NullProductName", 200, apierr.TerminalInput},
		{"iot.prod.InvalidFormattedProductName", 200, apierr.TerminalInput},
		{"iot.prod.LongProductDesc", 200, apierr.TerminalInput},
		{"iot.prod.InvalidNodeType", 200, apierr.TerminalInput},
		{"iot.prod.InvalidAliyunCommodityCode", 200, apierr.TerminalInput},
		{"iot.prod.NotSeniorProduct", 200, apierr.TerminalInput},
		{"iot.prod.NotOpenID2Service", 200, apierr.TerminalInput},
		{"iot.check.InvalidFormattedParameter", 200, apierr.TerminalInput},
		{"iot.prod.ProductCountExceedMax", 200, apierr.TerminalInput},
		{"iot.system.InstanceNotFound", 200, apierr.TerminalInput},
		{"iot.Sre.IotInstanceNotFound", 200, apierr.TerminalInput},
		{"iot.common.RamActionPermissionDeny", 200, apierr.TerminalAuth},
		{"iot.common.AuthActionPermissionDeny", 200, apierr.TerminalAuth},
		{"Iot.system.BillIsOverDue", 200, apierr.TerminalAuth},
		{"iot.system.UidNotFound", 200, apierr.TerminalAuth},
		{"iot.system.SystemException", 200, apierr.Retryable},
		{"iot.prod.CreateProductFailed", 200, apierr.Retryable},
		{"iot.prod.UpdateProductFailed", 200, apierr.Retryable},

		// Gateway errors: HTTP 4xx/5xx.
		{"Throttling", 400, apierr.Throttled},
		{"Throttling.User", 400, apierr.Throttled},
		{"InternalError", 500, apierr.Retryable},
		{"ServiceUnavailable", 503, apierr.Retryable},
		{"InvalidAccessKeyId.NotFound", 404, apierr.TerminalAuth},
		{"InvalidAccessKeyId.NotFound", 400, apierr.TerminalAuth},
		{"SignatureDoesNotMatch", 403, apierr.TerminalAuth},
		{"SignatureDoesNotMatch", 400, apierr.TerminalAuth},
		{"Forbidden", 403, apierr.TerminalAuth},
		{"Forbidden.RAM", 403, apierr.TerminalAuth},
		{"IncompleteSignature", 400, apierr.TerminalAuth},
		{"IllegalTimestamp", 400, apierr.TerminalAuth},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.code, tt.status), func(t *testing.T) {
			if got := Classify(tt.code, tt.status); got != tt.want {
				t.Errorf("Classify(%q, %d) = %s, want %s", tt.code, tt.status, got, tt.want)
			}
		})
	}
}

// Every *ActionError code is the server failing the action ("Try again later", error codes
// page): retried, whichever family it belongs to, and never a stall as bad input.
func TestEveryActionErrorCodeIsRetryable(t *testing.T) {
	for _, code := range []string{
		"iot.common.QueryProductActionError",
		"iot.common.QueryProductCountActionError",
		"iot.common.QueryDeviceActionError",
		"iot.common.QueryDevicePropertyActionError",
		"iot.prod.QueryProductListActionError",
		"iot.prod.QueryDeviceCountActionError",
		"iot.prod.QueryProductAbilitiesActionError",
		"iot.device.QueryDeviceListActionError",
		"iot.prod.SomeFutureActionError", // a member the documentation does not list yet
	} {
		t.Run(code, func(t *testing.T) {
			if got := Classify(code, 200); got != apierr.Retryable {
				t.Errorf("Classify(%q, 200) = %s, want %s", code, got, apierr.Retryable)
			}
		})
	}
}

// Codes no document lists are decided by family, then by status.
func TestUndocumentedCodes(t *testing.T) {
	tests := []struct {
		name   string
		code   string
		status int
		want   apierr.Class
	}{
		{"another throttling flavour", "Throttling.Resource", 400, apierr.Throttled},
		{"another Forbidden flavour", "Forbidden.AccessKeyDisabled", 403, apierr.TerminalAuth},
		{"an expired STS token", "InvalidSecurityToken.Expired", 400, apierr.TerminalAuth},
		{"an unknown 5xx", "Made.Up", 502, apierr.Retryable},
		{"an unknown 429", "Made.Up", 429, apierr.Throttled},
		{"an unknown 401", "Made.Up", 401, apierr.TerminalAuth},
		{"an unknown gateway 4xx is about the request", "InvalidRegionId", 400, apierr.TerminalInput},
		{"an unknown business failure of the server", "iot.prod.DeleteProductFailed", 200, apierr.Retryable},
		{"an unknown business busy signal", "iot.system.SystemBusy", 200, apierr.Retryable},
		{"an unknown business code", "iot.prod.SomethingNew", 200, apierr.TerminalInput},
		{"a failure without a code but 5xx", "", 500, apierr.Retryable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.code, tt.status); got != tt.want {
				t.Errorf("Classify(%q, %d) = %s, want %s", tt.code, tt.status, got, tt.want)
			}
		})
	}
}

func TestSDKErrorsBecomeAPIErrors(t *testing.T) {
	c := &Client{secrets: []string{"the-secret-value"}}
	gateway := tea.NewSDKError(map[string]interface{}{
		"code":       "SignatureDoesNotMatch",
		"statusCode": 403,
		"message":    "code: 403, Specified signature is not matched with our calculation. request id: 5E2B-REQ",
		"data": map[string]interface{}{
			"RequestId": "5E2B-REQ",
			"Code":      "SignatureDoesNotMatch",
			"Message":   "Specified signature is not matched with our calculation.",
			"HostId":    "iot.cn-shanghai.aliyuncs.com",
		},
	})
	// A gateway answer without a Message: the SDK's text is all there is, and its RequestId
	// differs at each call.
	bare := func(requestID string) error {
		return tea.NewSDKError(map[string]interface{}{
			"code":       "Throttling.User",
			"statusCode": 400,
			"message":    "code: 400,  request id: " + requestID,
			"data":       map[string]interface{}{"RequestId": requestID, "Code": "Throttling.User"},
		})
	}
	timeout := &url.Error{Op: "Post", URL: "https://iot.cn-shanghai.aliyuncs.com/?Signature=abc&SecurityToken=the-secret-value", Err: timeoutError{}}
	refused := &url.Error{Op: "Post", URL: "http://127.0.0.1:1/?x=1", Err: errors.New("dial tcp 127.0.0.1:1: connect: connection refused")}

	tests := []struct {
		name string
		err  error
		want apierr.Error
	}{
		{"a gateway error carries its code, status, message and RequestId", gateway, apierr.Error{
			Platform: "alibaba", Action: "DeleteProduct", Class: apierr.TerminalAuth, Code: "SignatureDoesNotMatch",
			Message: "Specified signature is not matched with our calculation.", RequestID: "5E2B-REQ", HTTPStatus: 403,
		}},
		{"a gateway error without a message keeps its RequestId apart", bare("7F3A-REQ"), apierr.Error{
			Platform: "alibaba", Action: "DeleteProduct", Class: apierr.Throttled, Code: "Throttling.User",
			Message: "HTTP 400", RequestID: "7F3A-REQ", HTTPStatus: 400,
		}},
		{"a timeout is retryable", timeout, apierr.Error{
			Platform: "alibaba", Action: "DeleteProduct", Class: apierr.Retryable, Message: "network error: no answer in time: i/o timeout",
		}},
		{"a refused connection is retryable", refused, apierr.Error{
			Platform: "alibaba", Action: "DeleteProduct", Class: apierr.Retryable,
			Message: "network error: dial tcp 127.0.0.1:1: connect: connection refused",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.sdkError("DeleteProduct", tt.err)
			got.Err = nil
			if *got != tt.want {
				t.Errorf("got  %+v\nwant %+v", *got, tt.want)
			}
		})
	}

	t.Run("two answers alike read alike whatever their RequestIds", func(t *testing.T) {
		first, second := c.sdkError("DeleteProduct", bare("7F3A-REQ")), c.sdkError("DeleteProduct", bare("9C1D-REQ"))
		if first.Message != second.Message || strings.Contains(first.Message, "REQ") {
			t.Errorf("messages %q and %q", first.Message, second.Message)
		}
	})

	t.Run("a transport error keeps its chain but loses the query string", func(t *testing.T) {
		got := c.sdkError("DeleteProduct", timeout)
		var netErr net.Error
		if !errors.As(got, &netErr) || !netErr.Timeout() {
			t.Errorf("the timeout is lost from the chain: %v", got)
		}
		var urlErr *url.Error
		if !errors.As(got, &urlErr) || strings.Contains(urlErr.URL, "?") {
			t.Errorf("the URL keeps its query: %v", urlErr)
		}
		if strings.Contains(fmt.Sprint(got), "the-secret-value") || strings.Contains(fmt.Sprint(got.Err), "the-secret-value") {
			t.Errorf("secret in %v", got)
		}
	})
}

type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

func TestRedactRemovesSecrets(t *testing.T) {
	got := redact("failed with key abcdef123456 and token tok-987654", []string{"abcdef123456", "tok-987654", "", "x"})
	if want := "failed with key <redacted> and token <redacted>"; got != want {
		t.Errorf("redact = %q, want %q", got, want)
	}
}
