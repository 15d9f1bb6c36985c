package alibaba

import (
	"context"
	"strings"
	"sync"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"
	"golang.org/x/time/rate"

	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
)

// The platform's quotas are the account's: "RAM users of an Alibaba Cloud account share the
// quota of the account" (the limits of QueryProduct, and of every product action). Keyed by
// AccessKey, two RAM users of one account would each get the whole quota and together be
// throttled by the platform. So a client's budget is its account's, as STS GetCallerIdentity
// names it for the client's credentials. That action "needs no permission": any credentials
// the platform accepts may call it, once, before their first product call.

// ActionGetCallerIdentity is the STS action that names the account of a set of credentials.
const ActionGetCallerIdentity = "GetCallerIdentity"

// accountRetry is how long a client whose account could not be learned (STS unreachable, or
// not served at the endpoint) spends from its credentials' own budget before asking again;
// and how long an answer that refused the credentials is given again without a call.
const accountRetry = time.Minute

// budget is the rate-limit buckets a client spends from: its credentials' own until the
// account is known, the account's after.
type budget struct {
	limiters *limiters
	sts      *openapi.Client

	mu        sync.Mutex
	limits    map[string]*rate.Limiter
	known     bool
	retryAt   time.Time
	refusal   *apierr.Error // the last refusal of the credentials, given again until retryAt
	resolving chan struct{} // closed when the STS call under way has answered
}

// current is the buckets calls spend from now.
func (b *budget) current() map[string]*rate.Limiter {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.limits
}

// resolveAccount learns the client's account once. One STS call at a time per set of
// credentials, made apart from any caller (bounded by the client's timeout); every caller
// waits for it no longer than its own context allows. A refusal of the credentials is
// returned: the call they were for would be refused too, and spends nothing from anyone's
// budget. Any other failure leaves the credentials' own budget in use until accountRetry
// has passed.
func (c *Client) resolveAccount(ctx context.Context) error {
	b := c.budget
	b.mu.Lock()
	switch now := time.Now(); {
	case b.known:
		b.mu.Unlock()
		return nil
	case now.Before(b.retryAt) && b.refusal != nil:
		b.mu.Unlock()
		return b.refusal
	case now.Before(b.retryAt):
		b.mu.Unlock()
		return nil
	}
	if b.resolving == nil {
		b.resolving = make(chan struct{})
		// The first caller's logger, not its deadline: the answer serves every caller.
		go c.learnAccount(context.WithoutCancel(ctx))
	}
	answered := b.resolving
	b.mu.Unlock()
	select {
	case <-answered:
	case <-ctx.Done():
		return contextError(ActionGetCallerIdentity, ctx.Err())
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.known && b.refusal != nil {
		return b.refusal
	}
	return nil
}

// learnAccount makes the STS call and records what it says.
func (c *Client) learnAccount(ctx context.Context) {
	account, err := c.callerAccount(ctx)
	b := c.budget
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case err == nil:
		b.limits, b.known, b.refusal = b.limiters.forAccount("account:"+account), true, nil
	case refusedCredentials(err):
		b.refusal, b.retryAt = err, time.Now().Add(accountRetry)
	default:
		b.refusal, b.retryAt = nil, time.Now().Add(accountRetry)
	}
	close(b.resolving)
	b.resolving = nil
}

// refusedCredentials says that STS refused the credentials themselves (their key, secret or
// token), not that it could not answer: only then is the product call refused in advance. A
// bare 401 or 403 (an endpoint that serves no STS, a proxy) leaves the call to go ahead.
func refusedCredentials(err *apierr.Error) bool {
	for _, prefix := range []string{"InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidSecurityToken", "IncompleteSignature"} {
		if strings.HasPrefix(err.Code, prefix) {
			return true
		}
	}
	return false
}

// callerAccount asks STS which account the client's credentials belong to.
func (c *Client) callerAccount(ctx context.Context) (string, *apierr.Error) {
	params := &openapi.Params{
		Action: tea.String(ActionGetCallerIdentity), Version: tea.String("2015-04-01"),
		Protocol: c.budget.sts.Protocol, Pathname: tea.String("/"), Method: tea.String("POST"),
		AuthType: tea.String("AK"), Style: tea.String("RPC"), ReqBodyType: tea.String("formData"), BodyType: tea.String("json"),
	}
	type identity struct {
		Body struct {
			AccountId *string `json:"AccountId"`
			RequestId *string `json:"RequestId"`
		} `json:"body"`
		StatusCode *int32 `json:"statusCode"`
	}
	start := time.Now()
	got, requestID, failure := attempt(ctx, c, ActionGetCallerIdentity, func(rt *util.RuntimeOptions) (*identity, error) {
		sts := *c.budget.sts // one copy per call, as sdkForCall does
		body, err := sts.CallApi(params, &openapi.OpenApiRequest{}, rt)
		if err != nil {
			return nil, err
		}
		out := &identity{}
		return out, tea.Convert(body, out)
	}, func(r *identity) answer {
		// An answer without the account is no answer: the client keeps its own budget.
		return answer{httpStatus: int(tea.Int32Value(r.StatusCode)), hasBody: tea.StringValue(r.Body.AccountId) != "", requestID: tea.StringValue(r.Body.RequestId)}
	})
	c.report(ctx, ActionGetCallerIdentity, time.Since(start), requestID, failure)
	if failure != nil {
		return "", failure
	}
	return tea.StringValue(got.Body.AccountId), nil
}
