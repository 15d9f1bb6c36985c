// Package flipsnack is a client for the Flipsnack products feed API
// (https://api.flipsnack.com/v1/): signed form posts, batches of at most 500 products or SKUs,
// one rate budget shared per apiKey, and errors in the shared apierr vocabulary. Every request is
// counted and timed in the operator's metrics (internal/metrics) and logged as one line through
// the context's logger, never with the apiKey, the apiSecret or a signature. Flipsnack ships no
// Go SDK, so this is ours.
package flipsnack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
	"github.com/prodlife/product-lifecycle-operator/internal/egress"
	"github.com/prodlife/product-lifecycle-operator/internal/metrics"
)

// The actions this client calls.
const (
	ActionCreate = "products.create"
	ActionUpdate = "products.update"
	ActionDelete = "products.delete"
)

// The platform's documented codes are the ones the metrics' code label shows as they are;
// any other code an answer carries is counted as "other", so answers cannot grow the metrics
// without bound.
func init() {
	metrics.RegisterCodes(Platform, CodeOK, CodeMaintenance, CodeMissingParam, CodePerSecondLimit, CodePerMinuteLimit,
		CodeInvalidData, CodeBadCredentials, CodeInvalidAction, CodeForbidden, CodeBadSignature, CodeTooManyProducts)
}

// maxBody bounds how much of an answer we read; real answers are a few hundred bytes, plus one
// error line per rejected product.
const maxBody = 4 << 20

// Client calls the API for one account. It is safe for concurrent use; get it from
// ClientSet.For so that it shares its account's budget.
type Client struct {
	set       *ClientSet
	apiKey    string
	apiSecret string
	account   string // a prefix of the apiKey's SHA-256: what logs may show instead of the key
	budget    *budget
}

// Account names the client's account without revealing the apiKey: the first 12 hex digits of
// the apiKey's SHA-256 (the simulator labels accounts the same way, after "acct-").
func (c *Client) Account() string { return c.account }

// String and GoString keep the credentials out of anything that prints a client. Value receivers,
// so that printing a dereferenced client is covered too.
func (c Client) String() string   { return "flipsnack.Client{account: " + c.account + "}" }
func (c Client) GoString() string { return c.String() }

// BudgetSpent is the Throttled error a call of action would get now from a client that does
// not wait (ClientSet's NoWait), or nil when the call may go. It admits nothing: for a caller
// that writes before its call (a feed's in-flight mark) and need not write for a call that
// would not go. The budget may still be spent by the time the call goes.
func (c *Client) BudgetSpent(action string) error {
	if !c.set.noWait {
		return nil
	}
	if wait := c.budget.wouldWait(); wait > 0 {
		return c.budgetSpent(action, wait)
	}
	return nil
}

func (c *Client) budgetSpent(action string, wait time.Duration) *apierr.Error {
	return &apierr.Error{Platform: Platform, Action: action, Class: apierr.Throttled, Code: CodeBudgetSpent,
		// No wait in the text: it becomes the object's condition, and a text that changed at
		// every throttled pass would rewrite the status each time.
		Message:    fmt.Sprintf("the client-side budget of this apiKey (%d calls a second, %d a minute) is spent", c.set.perSecond, c.set.perMinute),
		RetryAfter: wait}
}

// call performs one action, waiting out 31, 32 and 22 answers within the retry bounds. It returns
// the decoded answer when the platform said 20, and an *apierr.Error otherwise.
func (c *Client) call(ctx context.Context, action string, params map[string]string) (response, error) {
	var waited time.Duration
	attempts := map[string]int{} // per answer code, for the doubling
	for {
		r, httpStatus, retryAfter, err := c.attempt(ctx, action, params)
		if err != nil {
			return response{}, err
		}
		if r.Code == CodeOK {
			return r, nil
		}
		perr := c.platformError(action, r, httpStatus)
		wait, retry := c.retryWait(r.Code, attempts[r.Code], retryAfter)
		if retry && c.set.noWait {
			// Say how long to wait, and let the caller's queue do the waiting.
			var e *apierr.Error
			if errors.As(perr, &e) {
				e.RetryAfter = wait
			}
			return response{}, perr
		}
		if !retry || waited+wait > c.set.maxRetryWait {
			return response{}, perr
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			// The caller cannot wait that long: tell it why now rather than with a bare
			// "deadline exceeded" later.
			return response{}, perr
		}
		attempts[r.Code]++
		waited += wait
		if err := sleep(ctx, wait); err != nil {
			return response{}, ctxError(action, err)
		}
	}
}

// retryWait says whether an answer is waited out inside the client and for how long: 31 and an
// HTTP 429 (the per-second budget) briefly, 22 (maintenance) longer, 32 (the per-minute budget)
// longest, each doubling per repeat and jittered so that clients of other processes sharing the
// account do not retry in lockstep.
func (c *Client) retryWait(code string, n int, retryAfter time.Duration) (time.Duration, bool) {
	var first time.Duration
	switch code {
	case CodePerSecondLimit, codeHTTP429:
		first = c.set.retryBase
	case CodeMaintenance:
		first = 5 * c.set.retryBase
	case CodePerMinuteLimit:
		first = 10 * c.set.retryBase
	default:
		return 0, false
	}
	wait := first
	for i := 0; i < n && wait < time.Minute; i++ {
		wait *= 2
	}
	wait = min(wait, time.Minute)
	wait += time.Duration(rand.Int64N(int64(wait)/5 + 1)) // up to +20 %
	return max(wait, retryAfter), true
}

// attempt sends one signed request through the account's budget. A transport failure or an
// answer without a readable code comes back as err; a decoded answer of any code as r. Each
// attempt is counted in the metrics and logged.
func (c *Client) attempt(ctx context.Context, action string, params map[string]string) (r response, httpStatus int, retryAfter time.Duration, err error) {
	queued := time.Now()
	var release func()
	if c.set.noWait {
		var wait time.Duration
		if release, wait = c.budget.tryNow(); release == nil {
			return r, 0, 0, c.budgetSpent(action, wait)
		}
	} else {
		var err error
		if release, err = c.budget.acquire(ctx); err != nil {
			metrics.ObserveRateLimiterWait(Platform, action, time.Since(queued))
			return r, 0, 0, ctxError(action, err)
		}
	}
	metrics.ObserveRateLimiterWait(Platform, action, time.Since(queued))
	sent := time.Now()
	body, httpStatus, retryAfter, err := c.post(ctx, action, params)
	release()
	defer func() { c.report(ctx, action, time.Since(sent), r, err) }()
	if err != nil {
		if ctx.Err() != nil {
			return r, 0, 0, ctxError(action, ctx.Err())
		}
		var redirect *egress.RedirectError
		if errors.As(err, &redirect) {
			// Refused before anything was sent again; it may be a proxy's passing fault, so
			// it stays Retryable, and the message says to check the endpoint. Without Err,
			// the metrics count the answer's status (http_302), not a network error.
			return r, redirect.Status, 0, &apierr.Error{Platform: Platform, Action: action, Class: apierr.Retryable,
				Message: c.redact(redirect.Error()), HTTPStatus: redirect.Status}
		}
		return r, 0, 0, &apierr.Error{Platform: Platform, Action: action, Class: apierr.Retryable, Err: err}
	}
	r, derr := decodeResponse(body)
	if derr == nil {
		return r, httpStatus, retryAfter, nil
	}
	if httpStatus == http.StatusTooManyRequests {
		// A gateway in front of the API throttled us without the API's JSON: same as 31.
		return response{Code: codeHTTP429, Status: "HTTP 429 Too Many Requests"}, httpStatus, retryAfter, nil
	}
	return r, httpStatus, 0, &apierr.Error{
		Platform:   Platform,
		Action:     action,
		Class:      classifyHTTP(httpStatus),
		Code:       "",
		Message:    c.redact(fmt.Sprintf("HTTP %d with an unreadable answer (%v): %s", httpStatus, derr, snippet(body))),
		HTTPStatus: httpStatus,
	}
}

// post signs and sends the form and reads the answer. The signature covers exactly the values
// put on the wire.
func (c *Client) post(ctx context.Context, action string, params map[string]string) (body []byte, status int, retryAfter time.Duration, err error) {
	all := make(map[string]string, len(params)+3)
	for k, v := range params {
		all[k] = v
	}
	all["action"] = action
	all["apiKey"] = c.apiKey
	form := url.Values{}
	for k, v := range all {
		form.Set(k, v)
	}
	form.Set("signature", Sign(c.apiSecret, all))

	ctx, cancel := context.WithTimeout(ctx, c.set.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.set.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, 0, 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.set.http.Do(req)
	if err != nil {
		return nil, 0, 0, err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, resp.StatusCode, 0, err
	}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		retryAfter = time.Duration(s) * time.Second
	}
	return body, resp.StatusCode, retryAfter, nil
}

// ctxError wraps a cancelled or expired context so errors.Is(err, context.Canceled) still works.
func ctxError(action string, err error) error {
	return &apierr.Error{Platform: Platform, Action: action, Class: apierr.Retryable, Err: err}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// snippet is the start of an unreadable body, for the error message.
func snippet(body []byte) string {
	const n = 200
	more := ""
	if len(body) > n {
		body, more = body[:n], "..."
	}
	return strings.TrimSpace(strings.ToValidUTF8(string(body), "?")) + more
}

// isCode reports whether err is a platform answer with the given code.
func isCode(err error, code string) bool {
	var e *apierr.Error
	return errors.As(err, &e) && e.Code == code
}
