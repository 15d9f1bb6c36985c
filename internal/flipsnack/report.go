package flipsnack

import (
	"context"
	"errors"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
	"github.com/prodlife/product-lifecycle-operator/internal/metrics"
)

// report counts one request and logs it as one line through ctx's logger, which in a
// reconcile names the object. The request itself (apiKey, apiSecret, signature) is never
// logged: the account appears as its hashed name, and any text from the answer is redacted.
// The platform sends no request ID, so the line has none.
func (c *Client) report(ctx context.Context, action string, took time.Duration, r response, err error) {
	code := resultCode(r, err)
	metrics.ObserveRequest(Platform, action, code, took)

	kv := []any{"platform", Platform, "action", action, "code", code, "duration", took, "account", c.account}
	switch {
	case err != nil:
		kv = append(kv, "error", c.redact(err.Error()))
	case r.Code != CodeOK:
		kv = append(kv, "message", c.redact(messageOf(r)))
	}
	log.FromContext(ctx).Info("external call", kv...)
}

// resultCode is the code label of a request: OK, the platform's code (31, 40, 44, ...), or
// what kept an answer from arriving or being read.
func resultCode(r response, err error) string {
	var e *apierr.Error
	switch {
	case err == nil && r.Code == CodeOK:
		return metrics.CodeOK
	case err == nil && r.Code == codeHTTP429:
		return metrics.HTTPStatusCode(429)
	case err == nil:
		return r.Code
	case !errors.As(err, &e):
		return metrics.TransportCode(err)
	case e.Err != nil:
		return metrics.TransportCode(e.Err)
	case e.HTTPStatus >= 300:
		return metrics.HTTPStatusCode(e.HTTPStatus)
	default:
		return metrics.CodeInvalidResponse
	}
}
