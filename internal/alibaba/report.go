package alibaba

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
	"github.com/prodlife/product-lifecycle-operator/internal/egress"
	"github.com/prodlife/product-lifecycle-operator/internal/metrics"
)

// report counts a call that reached the network and logs it as one line through ctx's logger,
// which in a reconcile names the object. Nothing it logs comes from the request, so no
// AccessKeySecret, security token or signature can appear; the error text, built from the
// answer, is redacted once more all the same.
func (c *Client) report(ctx context.Context, action string, took time.Duration, requestID string, failure *apierr.Error) {
	code := resultCode(failure)
	metrics.ObserveRequest(Platform, action, code, took)

	kv := []any{"platform", Platform, "action", action, "code", code, "requestId", requestID, "duration", took, "region", c.region}
	if failure != nil {
		kv = append(kv, "httpStatus", failure.HTTPStatus, "error", redact(failure.Error(), c.secrets))
	}
	log.FromContext(ctx).Info("external call", kv...)
}

// resultCode is the code label of a call: OK, the platform's error code, or what kept an
// answer from arriving or being read.
func resultCode(failure *apierr.Error) string {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	var redirect *egress.RedirectError
	switch {
	case failure == nil:
		return metrics.CodeOK
	case failure.Code != "":
		return failure.Code
	case errors.As(failure.Err, &syntaxErr), errors.As(failure.Err, &typeErr):
		return metrics.CodeInvalidResponse
	case errors.As(failure.Err, &redirect):
		// An answer did arrive: the refused redirect's status.
		return metrics.HTTPStatusCode(redirect.Status)
	case failure.Err != nil:
		return metrics.TransportCode(failure.Err)
	case failure.HTTPStatus >= 300:
		return metrics.HTTPStatusCode(failure.HTTPStatus)
	default:
		// An answer without a body.
		return metrics.CodeInvalidResponse
	}
}
