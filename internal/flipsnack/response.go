package flipsnack

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
)

// response is one decoded platform answer:
// {"code": 20, "status": "...", "data": {"message": "...", "errors": [...]}}.
type response struct {
	Code    string   // normalised decimal text: 20 and "20" both become "20"
	Status  string   // the platform's status text, kept as sent
	Message string   // data.message
	Errors  []string // data.errors, each entry as text (strings as is, anything else as compact JSON)
}

// maxCodeLen bounds what we accept as a status code; anything longer is not a code but garbage.
const maxCodeLen = 16

// decodeResponse decodes an answer leniently, because the documentation itself shows the code
// both as a number and as a string, and nothing promises the shape of data: only a missing or
// unreadable code makes the answer undecodable.
func decodeResponse(body []byte) (response, error) {
	var raw struct {
		Code   json.RawMessage `json:"code"`
		Status json.RawMessage `json:"status"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return response{}, err
	}
	code, err := decodeCode(raw.Code)
	if err != nil {
		return response{}, err
	}
	r := response{Code: code, Status: textOf(raw.Status)}
	r.Message, r.Errors = decodeData(raw.Data)
	return r, nil
}

// decodeCode accepts 20, 20.0, "20" and " 20 " alike and returns "20".
func decodeCode(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return "", errors.New("response has no code")
	}
	var text string
	switch raw[0] {
	case '"':
		if err := json.Unmarshal(raw, &text); err != nil {
			return "", err
		}
		text = strings.TrimSpace(text)
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		text = string(raw)
	default:
		return "", errors.New("response code is neither a number nor a string")
	}
	if text == "" || len(text) > maxCodeLen {
		return "", errors.New("response code is empty or too long")
	}
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return strconv.FormatInt(n, 10), nil
	}
	if f, err := strconv.ParseFloat(text, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10), nil
	}
	// A non-numeric code is kept verbatim: it is unknown, so it will be classified as such.
	return text, nil
}

// decodeData extracts data.message and data.errors from whatever data is.
func decodeData(raw json.RawMessage) (message string, errs []string) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return "", nil
	}
	message = textOf(obj["message"])
	list := bytes.TrimSpace(obj["errors"])
	if len(list) == 0 || bytes.Equal(list, []byte("null")) {
		return message, nil
	}
	var items []json.RawMessage
	if list[0] == '[' && json.Unmarshal(list, &items) == nil {
		for _, item := range items {
			if t := textOf(item); t != "" {
				errs = append(errs, t)
			}
		}
		return message, errs
	}
	if t := textOf(list); t != "" {
		errs = append(errs, t)
	}
	return message, errs
}

// textOf renders a JSON value as text: a string as its value, null as "", anything else compact.
// The text is always UTF-8, as the conditions and events it ends up in must be: decoding a
// string replaces invalid bytes, and compacting keeps them, so they are replaced here too.
func textOf(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return ""
	}
	var s string
	if raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return s
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return strings.ToValidUTF8(string(raw), "\uFFFD")
	}
	return strings.ToValidUTF8(buf.String(), "\uFFFD")
}
