package alibaba

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	iot "github.com/alibabacloud-go/iot-20180120/v6/client"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"
	credential "github.com/aliyun/credentials-go/credentials"

	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
	"github.com/prodlife/product-lifecycle-operator/internal/metrics"
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
	account    string  // the rate-limit account: AccessKeyId or "default-chain"
	identity   string  // what CredentialsFingerprint hashes: see Credentials.identity
	budget     *budget // the account's rate limits (account.go)
	noWait     bool    // Options.NoWait
	region     string
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

// CredentialsFingerprint names where the client's calls look for products, without revealing
// anything secret: the first 8 hex digits of the SHA-256 of the AccessKeyId (for a long-term
// key; "sts" for temporary credentials, "default-chain" for the operator's own), the region
// and the IotInstanceId. A product another fingerprint sees may not exist for this one.
func (c *Client) CredentialsFingerprint() string {
	sum := sha256.Sum256([]byte(c.identity + "\x00" + c.region + "\x00" + c.instanceID))
	return hex.EncodeToString(sum[:4])
}

// instance is the IotInstanceId parameter: nil when not set, so the SDK leaves it out.
func (c *Client) instance() *string {
	if c.instanceID == "" {
		return nil
	}
	return tea.String(c.instanceID)
}

// call runs one SDK call the way every action needs it: it waits for the account's rate limit,
// resolves the credentials, runs fn without SDK retries, gives up when ctx ends, and turns an
// answer that says Success false into an error with answerOf. It returns the platform's
// RequestId whenever an answer carried one. Every failure it returns is an *apierr.Error.
//
// Every call that passes the rate limit is counted in the metrics and logged (one line,
// through ctx's logger, so with the object being reconciled).
//
// The SDK's calls take no context. When ctx ends first, call returns at once and the SDK call
// finishes in the background, bounded by the per-call timeout; its answer is dropped.
//
// limits names further rate-limit budgets the call waits for before the action's own.
func call[T any](ctx context.Context, c *Client, action string, fn func(*util.RuntimeOptions) (T, error), answerOf func(T) answer, limits ...string) (T, string, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, "", contextError(action, err)
	}
	if err := c.resolveAccount(ctx); err != nil {
		return zero, apierr.RequestIDOf(err), err
	}
	for _, limit := range append(limits, action) {
		if err := c.waitForRateLimit(ctx, action, limit); err != nil {
			return zero, "", err
		}
	}
	start := time.Now()
	v, requestID, failure := attempt(ctx, c, action, fn, answerOf)
	c.report(ctx, action, time.Since(start), requestID, failure)
	if failure != nil {
		return zero, requestID, failure
	}
	return v, requestID, nil
}

// sdkForCall is a shallow copy of the SDK client for one call. The SDK writes its own Headers
// field on every call (darabonba-openapi's GetRpcHeaders reads and clears it), so calls that
// share one SDK client race on it; a copy per call shares only what is read (configuration,
// the credential provider).
func (c *Client) sdkForCall() *iot.Client {
	cp := *c.sdk
	return &cp
}

// attempt is the part of call that the metrics time: from resolving the credentials to
// reading the answer.
func attempt[T any](ctx context.Context, c *Client, action string, fn func(*util.RuntimeOptions) (T, error), answerOf func(T) answer) (T, string, *apierr.Error) {
	var zero T
	// Resolving here (the providers cache) tells "no usable credentials" apart from a network
	// failure, which the SDK would report alike.
	if _, err := c.credential.GetCredential(); err != nil {
		return zero, "", &apierr.Error{Platform: Platform, Action: action, Class: apierr.TerminalAuth, Code: "InvalidCredentials",
			Message: redact("no usable credentials: "+err.Error(), c.secrets)}
	}
	v, abandoned, err := send(ctx, fn)
	switch {
	case abandoned:
		return zero, "", contextError(action, ctx.Err())
	case err != nil:
		failure := c.sdkError(action, err)
		return zero, failure.RequestID, failure
	}
	a := answerOf(v)
	if failure := c.checkAnswer(action, a); failure != nil {
		return zero, a.requestID, failure
	}
	return v, a.requestID, nil
}

// waitForRateLimit waits for the account's budget limit (the action's own, or another one it
// counts against), and says so in the metrics under action.
func (c *Client) waitForRateLimit(ctx context.Context, action, limit string) error {
	limiter := c.budget.current()[limit]
	if limiter == nil {
		return nil
	}
	start := time.Now()
	if c.noWait {
		r := limiter.Reserve()
		if d := r.Delay(); d > maxInlineWait {
			r.Cancel()
			return &apierr.Error{Platform: Platform, Action: action, Class: apierr.Throttled,
				// No wait in the text: it becomes the object's condition, and a text that
				// changed at every throttled pass would rewrite the status each time.
				Message:    fmt.Sprintf("client-side rate limit of the account (%s) reached", limit),
				RetryAfter: d}
		} else if d > 0 {
			if err := sleepCtx(ctx, d); err != nil {
				r.Cancel()
				return contextError(action, err)
			}
		}
		metrics.ObserveRateLimiterWait(Platform, action, time.Since(start))
		return nil
	}
	err := limiter.Wait(ctx)
	metrics.ObserveRateLimiterWait(Platform, action, time.Since(start))
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return contextError(action, ctx.Err())
	}
	// The wait would outlast ctx's deadline: our own rate limit said no.
	return &apierr.Error{Platform: Platform, Action: action, Class: apierr.Throttled,
		Message: "client-side rate limit of the account: " + err.Error(), Err: err}
}

// maxInlineWait is the longest a call of a NoWait client waits for its account's budget in
// the caller's goroutine: the spacing of a few calls at the documented QPS, not a queue.
const maxInlineWait = 100 * time.Millisecond

// sleepCtx waits d, or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// send runs fn. When ctx can end, fn runs in the background and send returns abandoned as
// soon as ctx ends first.
func send[T any](ctx context.Context, fn func(*util.RuntimeOptions) (T, error)) (v T, abandoned bool, err error) {
	runtime := &util.RuntimeOptions{Autoretry: tea.Bool(false)}
	if ctx.Done() == nil {
		v, err = fn(runtime)
		return v, false, err
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
		return r.v, false, r.err
	case <-ctx.Done():
		return v, true, nil
	}
}

// answer is what an action's response says about its outcome. The SDK gives every action a
// response type of its own with these same fields, so each action reads them out with
// answerFrom.
type answer struct {
	httpStatus int
	hasBody    bool
	success    *bool
	code       string
	message    string
	requestID  string
}

// answerFrom reads an answer that has a body.
func answerFrom(statusCode *int32, success *bool, code, message, requestID *string) answer {
	return answer{
		httpStatus: int(tea.Int32Value(statusCode)),
		hasBody:    true,
		success:    success,
		code:       tea.StringValue(code),
		message:    tea.StringValue(message),
		requestID:  tea.StringValue(requestID),
	}
}

// checkAnswer turns an HTTP 200 answer with Success false, or one without a body, into an
// error. An answer without Success counts as failed only if it carries a Code.
func (c *Client) checkAnswer(action string, a answer) *apierr.Error {
	if !a.hasBody {
		return emptyAnswer(action, a.httpStatus)
	}
	failed := a.success != nil && !*a.success || a.success == nil && a.code != ""
	if !failed {
		return nil
	}
	return c.businessError(action, a.httpStatus, a.code, a.message, a.requestID)
}
