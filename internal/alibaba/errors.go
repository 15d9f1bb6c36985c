package alibaba

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/alibabacloud-go/tea/tea"

	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
	"github.com/prodlife/product-lifecycle-operator/internal/egress"
	"github.com/prodlife/product-lifecycle-operator/internal/metrics"
)

// Platform is the apierr.Error Platform of this client.
const Platform = "alibaba"

// codeClasses classifies every error code the documentation lists, business (HTTP 200,
// Success false) and gateway (HTTP 4xx/5xx) alike.
var codeClasses = map[string]apierr.Class{
	// The product is gone: a delete counts it as done.
	"iot.prod.NotExistedProduct": apierr.NotFound,

	// The name is taken in this instance: on a retried create, likely our own earlier call.
	"iot.prod.AlreadyExistedProductName": apierr.AlreadyExists,

	// Bad input, quota, wrong instance: the spec must change.
	"iot.prod.InvalidFormattedProductkey":  apierr.TerminalInput,
	"iot.prod.NullProductKey":              apierr.TerminalInput,
	"iot.prod.NullProductName":             apierr.TerminalInput,
	"iot.prod.InvalidFormattedProductName": apierr.TerminalInput,
	"iot.prod.LongProductDesc":             apierr.TerminalInput,
	"iot.prod.InvalidNodeType":             apierr.TerminalInput,
	"iot.prod.InvalidAliyunCommodityCode":  apierr.TerminalInput,
	"iot.prod.NotSeniorProduct":            apierr.TerminalInput,
	"iot.prod.NotOpenID2Service":           apierr.TerminalInput,
	"iot.check.InvalidFormattedParameter":  apierr.TerminalInput,
	"iot.prod.ProductCountExceedMax":       apierr.TerminalInput,
	"iot.system.InstanceNotFound":          apierr.TerminalInput,
	"iot.Sre.IotInstanceNotFound":          apierr.TerminalInput,
	"InvalidAction.NotFound":               apierr.TerminalInput,
	"InvalidVersion":                       apierr.TerminalInput,
	"MissingParameter":                     apierr.TerminalInput,
	"InvalidParameter":                     apierr.TerminalInput,

	// Credentials, signature, permission, account: the Secret or the grant must change.
	"iot.common.RamActionPermissionDeny":  apierr.TerminalAuth,
	"iot.common.AuthActionPermissionDeny": apierr.TerminalAuth,
	"Iot.system.BillIsOverDue":            apierr.TerminalAuth,
	"iot.system.UidNotFound":              apierr.TerminalAuth,
	"InvalidAccessKeyId.NotFound":         apierr.TerminalAuth,
	"InvalidAccessKeyId.Inactive":         apierr.TerminalAuth,
	"SignatureDoesNotMatch":               apierr.TerminalAuth,
	"IncompleteSignature":                 apierr.TerminalAuth,
	"Forbidden":                           apierr.TerminalAuth,
	"Forbidden.RAM":                       apierr.TerminalAuth,
	"InvalidCredentials":                  apierr.TerminalAuth, // the SDK's own: no credentials at all
	// A clock too far off makes every signature invalid; a person must fix the clock.
	"IllegalTimestamp":         apierr.TerminalAuth,
	"InvalidTimeStamp.Expired": apierr.TerminalAuth,
	"InvalidTimeStamp.Format":  apierr.TerminalAuth,

	// Rate limits: wait and retry.
	"Throttling":      apierr.Throttled,
	"Throttling.User": apierr.Throttled,
	"Throttling.Api":  apierr.Throttled,

	// Server side: may pass on its own.
	"iot.system.SystemException":   apierr.Retryable,
	"iot.prod.CreateProductFailed": apierr.Retryable,
	"iot.prod.UpdateProductFailed": apierr.Retryable,
	"InternalError":                apierr.Retryable,
	"ServiceUnavailable":           apierr.Retryable,
	"UnknownError":                 apierr.Retryable,
	// A reused nonce only happens to a replayed request; a new attempt gets a new nonce.
	"SignatureNonceUsed": apierr.Retryable,
}

// The documented codes are the ones the metrics' code label shows as they are; any other
// code an answer carries is counted as "other", so a platform (or a proxy) inventing codes
// cannot grow the metrics without bound.
func init() {
	metrics.RegisterCodes(Platform, slices.Collect(maps.Keys(codeClasses))...)
	metrics.RegisterCodes(Platform, documentedActionErrors...)
}

// documentedActionErrors are the *ActionError codes the error codes page names; Classify
// retries every code of that family, these are also shown as they are in the metrics.
var documentedActionErrors = []string{
	"iot.common.QueryProductActionError", "iot.prod.QueryProductListActionError", "iot.prod.QueryDeviceCountActionError",
}

// prefixClasses cover the families of codes the gateway has more members of than any list.
var prefixClasses = []struct {
	prefix string
	class  apierr.Class
}{
	{"Throttling.", apierr.Throttled},
	{"Forbidden.", apierr.TerminalAuth},
	{"InvalidAccessKeyId.", apierr.TerminalAuth},
	{"InvalidSecurityToken.", apierr.TerminalAuth},
	{"NoPermission", apierr.TerminalAuth},
	{"InvalidTimeStamp.", apierr.TerminalAuth},
}

// actionErrorSuffix ends the codes of a failed action on the server side.
const actionErrorSuffix = "ActionError"

// Classify returns the class of an error code answered with an HTTP status (200 for a
// business error).
//
// Codes not in the documentation are decided by their family, then by the status:
//   - 5xx, 429 and 408 are Retryable (Throttled for 429): the server or the path to it failed.
//   - 401 and 403 are TerminalAuth.
//   - Other 4xx from the gateway are TerminalInput: the gateway rejects a request's form
//     (parameters, action, version) before the service sees it, and sending it again cannot
//     help. Rate limits and authentication have their own families above, so what is left is
//     about the request. The engine still retries terminal errors slowly, so a misjudged code
//     heals once the platform stops answering it.
//   - Unknown business codes (HTTP 200) whose name says the server failed (SystemException,
//     SystemBusy, ServiceUnavailable, Timeout, or ending in Failed like the documented
//     CreateProductFailed) are Retryable; any other is TerminalInput, for the same reason.
func Classify(code string, httpStatus int) apierr.Class {
	if c, ok := codeClasses[code]; ok {
		return c
	}
	// Every *ActionError code is a server-side failure of the action, whatever its family
	// (iot.common.QueryProductActionError, iot.prod.QueryProductListActionError,
	// iot.prod.QueryDeviceCountActionError, ...). The error codes page lists them with
	// "Failed to query the product. ... Try again later." (help.aliyun.com/document_detail/87387):
	// retried, never a stall as bad input.
	if strings.HasSuffix(code, actionErrorSuffix) {
		return apierr.Retryable
	}
	for _, p := range prefixClasses {
		if strings.HasPrefix(code, p.prefix) {
			return p.class
		}
	}
	switch {
	case httpStatus == 429:
		return apierr.Throttled
	case httpStatus >= 500 || httpStatus == 408:
		return apierr.Retryable
	case httpStatus == 401 || httpStatus == 403:
		return apierr.TerminalAuth
	case httpStatus >= 400:
		return apierr.TerminalInput
	}
	for _, marker := range []string{"SystemException", "SystemBusy", "ServiceUnavailable", "Timeout"} {
		if strings.Contains(code, marker) {
			return apierr.Retryable
		}
	}
	if strings.HasSuffix(code, "Failed") {
		return apierr.Retryable
	}
	return apierr.TerminalInput
}

// businessError is the error of an HTTP 200 answer with Success false, which the SDK returns
// as a success.
func (c *Client) businessError(action string, httpStatus int, code, message, requestID string) *apierr.Error {
	return &apierr.Error{
		Platform:   Platform,
		Action:     action,
		Class:      Classify(code, httpStatus),
		Code:       code,
		Message:    oneLine(redact(message, c.secrets)),
		RequestID:  requestID,
		HTTPStatus: httpStatus,
	}
}

// sdkError turns whatever the SDK returned into an *apierr.Error.
func (c *Client) sdkError(action string, err error) *apierr.Error {
	e := &apierr.Error{Platform: Platform, Action: action, Class: apierr.Retryable}
	var sdkErr *tea.SDKError
	var redirect *egress.RedirectError
	switch {
	case errors.As(err, &sdkErr):
		// A gateway error (HTTP 4xx/5xx) or one the SDK raised itself. Data holds the answer's
		// JSON body; its Message is the platform's own, without the SDK's decoration.
		e.Code = tea.StringValue(sdkErr.Code)
		e.HTTPStatus = tea.IntValue(sdkErr.StatusCode)
		e.Message = tea.StringValue(sdkErr.Message)
		var data map[string]any
		own := false
		if json.Unmarshal([]byte(tea.StringValue(sdkErr.Data)), &data) == nil {
			// The SDK reads either spelling of both keys; so does this.
			for _, key := range []string{"Message", "message"} {
				if m, ok := data[key].(string); ok && m != "" && !own {
					e.Message, own = m, true
				}
			}
			for _, key := range []string{"RequestId", "requestId"} {
				if id, ok := data[key].(string); ok && id != "" && e.RequestID == "" {
					e.RequestID = id
				}
			}
		}
		if !own {
			e.Message = withoutSDKRequestID(e.Message, e.RequestID)
		}
		e.Class = Classify(e.Code, e.HTTPStatus)
	case errors.As(err, &redirect):
		// Refused by our HTTP client before anything was sent again. It may be a proxy's
		// passing fault, so it stays Retryable; the message says to check the endpoint.
		e.HTTPStatus = redirect.Status
		e.Message = redirect.Error()
		e.Err = withoutQuery(err)
	case !isTransportError(err) && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		e.Message = "call abandoned: " + err.Error()
		e.Err = err
	default:
		// No answer: the connection failed, timed out, or the answer was not JSON (a proxy's
		// error page). All may pass on their own.
		e.Message = describeTransportError(err)
		e.Err = withoutQuery(err)
	}
	e.Message = oneLine(redact(e.Message, c.secrets))
	return e
}

// withoutSDKRequestID takes the RequestId out of the SDK's own text ("code: 503, <the
// answer's Message> request id: <id>"), used when the answer has no Message: the RequestId is
// kept apart (apierr.Error.RequestID), so two answers alike read alike and a condition that
// quotes them is written again only when it has something new to say.
func withoutSDKRequestID(msg, requestID string) string {
	msg = strings.TrimSpace(msg)
	msg = strings.TrimSpace(strings.TrimSuffix(msg, "request id: "+requestID))
	msg = strings.TrimSpace(strings.TrimSuffix(msg, "request id:"))
	msg = strings.TrimRight(msg, ", ")
	if status, ok := strings.CutPrefix(msg, "code: "); ok {
		// "code" here is the HTTP status; the error's Code is the platform's code.
		msg = "HTTP " + status
	}
	return msg
}

// isTransportError reports an error of the HTTP exchange itself. The HTTP client's own
// timeout also wraps context.DeadlineExceeded, but it is a timeout, not an abandoned call.
func isTransportError(err error) bool {
	var urlErr *url.Error
	return errors.As(err, &urlErr)
}

// oneLine keeps messages fit for a status condition: the gateway's string to sign, quoted in
// SignatureDoesNotMatch, spans lines.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// describeTransportError says what went wrong without the request URL: with the legacy
// signature the URL carries the signature and the STS token.
func describeTransportError(err error) string {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		inner := urlErr.Err
		var netErr net.Error
		if urlErr.Timeout() || errors.As(inner, &netErr) && netErr.Timeout() {
			return "network error: no answer in time: " + inner.Error()
		}
		return "network error: " + inner.Error()
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return "network error: no answer in time: " + err.Error()
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return "the answer is not JSON: " + err.Error()
	}
	return "network error: " + err.Error()
}

// withoutQuery drops the query string from a *url.Error's URL (with the legacy signature it
// would carry the signature and the STS token), keeping the error chain for errors.Is and
// errors.As: a timeout stays a net.Error.
func withoutQuery(err error) error {
	var urlErr *url.Error
	if !errors.As(err, &urlErr) {
		return err
	}
	u := urlErr.URL
	if i := strings.IndexByte(u, '?'); i >= 0 {
		u = u[:i]
	}
	return &url.Error{Op: urlErr.Op, URL: u, Err: urlErr.Err}
}

// contextError is the error of a call the caller's context ended before its answer.
func contextError(action string, err error) *apierr.Error {
	return &apierr.Error{
		Platform: Platform,
		Action:   action,
		Class:    apierr.Retryable,
		Message:  "call abandoned: " + err.Error(),
		Err:      err,
	}
}

// emptyAnswer is the error of an HTTP 200 answer without a body the SDK could read.
func emptyAnswer(action string, httpStatus int) *apierr.Error {
	return &apierr.Error{
		Platform:   Platform,
		Action:     action,
		Class:      apierr.Retryable,
		Message:    fmt.Sprintf("empty answer (HTTP %d)", httpStatus),
		HTTPStatus: httpStatus,
	}
}
