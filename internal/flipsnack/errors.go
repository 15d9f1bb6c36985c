package flipsnack

import (
	"fmt"
	"strings"

	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
)

// Platform is the name every error of this client carries in apierr.Error.Platform.
const Platform = "flipsnack"

// The platform's status codes (developers.flipsnack.com/api-status-codes and the
// products.delete page).
const (
	CodeOK              = "20"
	CodeMaintenance     = "22" // retry later
	CodeMissingParam    = "30"
	CodePerSecondLimit  = "31"
	CodePerMinuteLimit  = "32"
	CodeInvalidData     = "40"
	CodeBadCredentials  = "41"
	CodeInvalidAction   = "42"
	CodeForbidden       = "43"
	CodeBadSignature    = "44"
	CodeTooManyProducts = "51"
)

// codeHTTP429 stands, inside the client only, for an HTTP 429 without the API's JSON.
const codeHTTP429 = "http429"

// CodeBudgetSpent is the code of a call the client did not send because the apiKey's own
// budget was spent (Options.NoWait); no request reached the platform.
const CodeBudgetSpent = "budget-spent"

// DefaultNotFoundMessages are the texts that mark a code-40 answer to products.delete or
// products.update as "the feed or the products are not there". This is the one list of them;
// the manager's --flipsnack-not-found-messages replaces it (Options.NotFoundMessages).
//
// Unverified: the documentation does not say what the platform answers when every SKU of a delete
// is unknown or the feed is already gone (products.delete says only that "unknown or variant
// SKUs are skipped"). Our simulator answers code 40 with status "Source not found" or
// "No products found"; these substrings cover that and the usual wordings. Matching is
// case-insensitive over the status, data.message and data.errors. A code-40 text that matches
// none of them is never taken for "already deleted": it is an error like any other refusal, so
// the deletion stays, retried, with the platform's answer in its condition.
var DefaultNotFoundMessages = []string{"not found", "no products", "does not exist", "doesn't exist", "not exist"}

// MessageList is a flag.Value of comma-separated texts, e.g. for
// --flipsnack-not-found-messages="not found,no products". Unset (nil) it shows and means
// DefaultNotFoundMessages; set to "" it holds no text, so no answer counts as "not found".
type MessageList []string

func (m *MessageList) String() string {
	if m == nil || *m == nil {
		return strings.Join(DefaultNotFoundMessages, ",")
	}
	return strings.Join(*m, ",")
}

func (m *MessageList) Set(value string) error {
	list := []string{}
	for _, text := range strings.Split(value, ",") {
		if text = strings.TrimSpace(text); text != "" {
			list = append(list, text)
		}
	}
	*m = list
	return nil
}

// alreadyExistsMessages mark a code-40 answer to products.create as "these SKUs are already in
// the feed", which on a retried create is most likely our own earlier call. Unverified wording,
// as above; the simulator says "already exists".
var alreadyExistsMessages = []string{"already exist", "duplicate"}

// classify turns a non-OK platform code into the shared error vocabulary.
func classify(code string) apierr.Class {
	switch code {
	case CodeBadCredentials, CodeForbidden, CodeBadSignature:
		return apierr.TerminalAuth
	case CodeMissingParam, CodeInvalidData, CodeInvalidAction:
		return apierr.TerminalInput
	case CodePerSecondLimit, CodePerMinuteLimit, codeHTTP429:
		return apierr.Throttled
	case CodeMaintenance:
		return apierr.Retryable
	case CodeTooManyProducts:
		// Batching halves on 51; a 51 that reaches a caller came for a single product, which no
		// smaller request can fix.
		return apierr.TerminalInput
	default:
		// An undocumented code: nothing says a person must act, so let the engine retry slowly.
		return apierr.Retryable
	}
}

// classifyHTTP classifies an answer whose body carried no readable code.
func classifyHTTP(status int) apierr.Class {
	switch {
	case status == 429:
		return apierr.Throttled
	case status == 401 || status == 403:
		return apierr.TerminalAuth
	case status >= 500:
		return apierr.Retryable
	case status >= 400:
		// A 404 or 405 here means the endpoint URL is wrong: a person must fix the flag.
		return apierr.TerminalInput
	default:
		// A 2xx page that is not the API's JSON (a captive proxy, a truncated body).
		return apierr.Retryable
	}
}

// platformError builds the error for a decoded non-OK answer, refining code 40 into NotFound or
// AlreadyExists where the action and the text say so.
func (c *Client) platformError(action string, r response, httpStatus int) *apierr.Error {
	class := classify(r.Code)
	if r.Code == CodeInvalidData {
		text := strings.ToLower(r.Status + "\n" + r.Message + "\n" + strings.Join(r.Errors, "\n"))
		switch action {
		case ActionDelete, ActionUpdate:
			if containsAny(text, c.set.notFound) {
				class = apierr.NotFound
			}
		case ActionCreate:
			if containsAny(text, alreadyExistsMessages) {
				class = apierr.AlreadyExists
			}
		}
	}
	code := r.Code
	if code == codeHTTP429 {
		code = "" // the platform sent no code of its own
	}
	return &apierr.Error{
		Platform:   Platform,
		Action:     action,
		Class:      class,
		Code:       code,
		Message:    c.redact(messageOf(r)),
		HTTPStatus: httpStatus,
	}
}

// messageOf is the status text, or data.message when the status is empty, followed by the
// platform's error list: "Missing mandatory parameter: Products hashes parameter is missing".
func messageOf(r response) string {
	msg := r.Status
	if msg == "" {
		msg = r.Message
	}
	if len(r.Errors) > 0 {
		errs := r.Errors
		const maxShown = 10 // a 500-product request can list 500 errors; keep the message readable
		more := ""
		if len(errs) > maxShown {
			more = fmt.Sprintf(" (and %d more)", len(errs)-maxShown)
			errs = errs[:maxShown]
		}
		list := strings.Join(errs, "; ") + more
		if msg == "" {
			msg = list
		} else {
			msg += ": " + list
		}
	}
	return msg
}

func containsAny(text string, needles []string) bool {
	for _, n := range needles {
		if n != "" && strings.Contains(text, strings.ToLower(n)) {
			return true
		}
	}
	return false
}

// redact removes the credentials from text that came from elsewhere (a response body), so an
// error can never carry them even if the platform echoed them back.
func (c *Client) redact(text string) string {
	for _, s := range []string{c.apiSecret, c.apiKey} {
		if s != "" {
			text = strings.ReplaceAll(text, s, "[redacted]")
		}
	}
	return text
}

// inputError is a request this client refuses to send because the platform could only reject it.
func inputError(action, format string, args ...any) *apierr.Error {
	return &apierr.Error{
		Platform: Platform,
		Action:   action,
		Class:    apierr.TerminalInput,
		Message:  fmt.Sprintf(format, args...),
	}
}
