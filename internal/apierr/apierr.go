// Package apierr is the one vocabulary both platform clients use to describe a failed call,
// so the lifecycle engine can decide between success, retry and "a person must act" without
// knowing which platform answered.
package apierr

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Class says what the lifecycle engine should do about a failure.
type Class string

const (
	// NotFound: the product (or feed) does not exist. A delete counts it as done.
	NotFound Class = "NotFound"
	// AlreadyExists: the name is taken. On our own retried create it is likely our earlier call.
	AlreadyExists Class = "AlreadyExists"
	// Throttled: the platform's rate limit answered; wait and retry, it is not a failure.
	Throttled Class = "Throttled"
	// Retryable: a server-side or network failure that may pass on its own.
	Retryable Class = "Retryable"
	// TerminalInput: the request is wrong (bad parameter, quota, wrong instance); a person must fix the spec.
	TerminalInput Class = "TerminalInput"
	// TerminalAuth: credentials, signature or permission are wrong; a person must fix the Secret or the grant.
	TerminalAuth Class = "TerminalAuth"
)

// Terminal reports whether only a person can unblock a call that failed this way.
func (c Class) Terminal() bool { return c == TerminalInput || c == TerminalAuth }

// Error is a failed platform call as a user needs to read it: which platform and action, the
// platform's own code and message, and the RequestId to quote to its support.
// It never holds credentials: clients build it from the response, not from the request.
type Error struct {
	Platform   string // "alibaba" or "flipsnack"
	Action     string // e.g. DeleteProduct, products.delete
	Class      Class
	Code       string // the platform's error code, e.g. iot.prod.NotExistedProduct, 44
	Message    string // the platform's message
	RequestID  string // the platform's RequestId, when it sent one
	HTTPStatus int    // 0 when no HTTP answer arrived
	Err        error  // the underlying transport error, if any
	// RetryAfter is how long a Throttled call asks to wait before the next one (the client's
	// budget refills, the platform's answer or Retry-After); 0 when nobody said.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s failed", e.Platform, e.Action)
	if e.Code != "" {
		fmt.Fprintf(&b, ": code %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	} else if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (RequestId %s)", e.RequestID)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// ClassOf returns the class of err. An error that is not an *Error (a cancelled context, a
// dial failure wrapped elsewhere) is Retryable: nothing says a person must act.
func ClassOf(err error) Class {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Class
	}
	return Retryable
}

// RequestIDOf returns the platform's RequestId carried by err, or "".
func RequestIDOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.RequestID
	}
	return ""
}

// Is reports whether err is of class c.
func Is(err error, c Class) bool { return err != nil && ClassOf(err) == c }

// RetryAfterOf is the wait a Throttled err asks for, or 0.
func RetryAfterOf(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}
