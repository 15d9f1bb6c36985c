package alibaba

import (
	"context"

	iot "github.com/alibabacloud-go/iot-20180120/v6/client"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"
	credential "github.com/aliyun/credentials-go/credentials"
	"golang.org/x/time/rate"

	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
)

// Client calls the IoT product API with one set of credentials, in one region, and (after
// WithIotInstance) one IoT instance. Get it from ClientSet.For. It is safe for concurrent use.
type Client struct {
	*shared
	secrets    []string // to redact from messages; never printed
	instanceID string
}

// shared is what every instance view of a client has in common.
type shared struct {
	sdk        *iot.Client
	credential credential.Credential
	account    string // the rate-limit account: AccessKeyId or "default-chain"
	limits     map[string]*rate.Limiter
	region     string
	endpoint   string
}

// WithIotInstance returns a client that sends IotInstanceId id with every call (empty: none,
// for an instance without an ID). The platform requires it when the instance has one.
func (c *Client) WithIotInstance(id string) *Client {
	cp := *c
	cp.instanceID = id
	return &cp
}

// IotInstanceID is the instance the client's calls name.
func (c *Client) IotInstanceID() string { return c.instanceID }

// Region is the client's region.
func (c *Client) Region() string { return c.region }

// Endpoint is the URL the client's calls go to.
func (c *Client) Endpoint() string { return c.endpoint }

// instance is the IotInstanceId parameter: nil when not set, so the SDK leaves it out.
func (c *Client) instance() *string {
	if c.instanceID == "" {
		return nil
	}
	return tea.String(c.instanceID)
}

// call runs one SDK call the way every action needs it: it waits for the account's rate limit,
// resolves the credentials, runs fn without SDK retries, and gives up when ctx ends. Every
// failure it returns is an *apierr.Error.
//
// The SDK's calls take no context. When ctx ends first, call returns at once and the SDK call
// finishes in the background, bounded by the per-call timeout; its answer is dropped.
func call[T any](ctx context.Context, c *Client, action string, fn func(*util.RuntimeOptions) (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, contextError(action, err)
	}
	if limiter := c.limits[action]; limiter != nil {
		if err := limiter.Wait(ctx); err != nil {
			if ctx.Err() != nil {
				return zero, contextError(action, ctx.Err())
			}
			// The wait would outlast ctx's deadline: our own rate limit said no.
			return zero, &apierr.Error{Platform: Platform, Action: action, Class: apierr.Throttled,
				Message: "client-side rate limit of the account: " + err.Error(), Err: err}
		}
	}
	// Resolving here (the providers cache) tells "no usable credentials" apart from a network
	// failure, which the SDK would report alike.
	if _, err := c.credential.GetCredential(); err != nil {
		return zero, &apierr.Error{Platform: Platform, Action: action, Class: apierr.TerminalAuth, Code: "InvalidCredentials",
			Message: redact("no usable credentials: "+err.Error(), c.secrets)}
	}

	runtime := &util.RuntimeOptions{Autoretry: tea.Bool(false)}
	if ctx.Done() == nil {
		v, err := fn(runtime)
		if err != nil {
			return zero, c.sdkError(action, err)
		}
		return v, nil
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn(runtime)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return zero, c.sdkError(action, r.err)
		}
		return r.v, nil
	case <-ctx.Done():
		return zero, contextError(action, ctx.Err())
	}
}

// checkAnswer turns an HTTP 200 answer with Success false into an error. An answer without
// Success counts as failed only if it carries a Code.
func (c *Client) checkAnswer(action string, statusCode *int32, success *bool, code, message, requestID *string) error {
	failed := success != nil && !*success || success == nil && tea.StringValue(code) != ""
	if !failed {
		return nil
	}
	return c.businessError(action, int(tea.Int32Value(statusCode)), tea.StringValue(code), tea.StringValue(message), tea.StringValue(requestID))
}
