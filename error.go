package aisle

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in package http; nothing else
// decides a status.
const (
	EINVALID       = "invalid"       // malformed input or an invalid field (400)
	EUNAUTHORIZED  = "unauthorized"  // no API key, or one that is not valid (401)
	EFORBIDDEN     = "forbidden"     // the key's role or shopper does not allow it (403)
	ENOTFOUND      = "not_found"     // unknown id (404)
	ECONFLICT      = "conflict"      // the resource changed under the request (409)
	ETOOLARGE      = "too_large"     // body, batch or field over a limit (413)
	EUNPROCESSABLE = "unprocessable" // well-formed but semantically invalid (422)
	ERATELIMIT     = "rate_limited"  // too many requests from one key or address, or too many at once (429)
	EUNAVAILABLE   = "unavailable"   // not ready to serve yet (503)
	EINTERNAL      = "internal"      // anything else (500); details are logged, never sent
)

// Error is an error meant for the caller of Aisle: its Code says what kind of
// failure it is and Message says, in words safe to show a client, what is
// wrong and where. Field names the offending input field when there is one,
// in the path form used by the API ("events[3].item").
type Error struct {
	Code    string
	Message string
	Field   string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("aisle error: code=%s field=%s message=%s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("aisle error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an *Error about one input field. The message is
// prefixed with the field path so it reads well on its own.
func FieldErrorf(code, field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	if field != "" {
		msg = field + ": " + msg
	}
	return &Error{Code: code, Message: msg, Field: field}
}

// WithFieldPrefix returns err with its field path prefixed by prefix
// ("items[2]" + "title" gives "items[2].title"). Errors that are not *Error
// are returned unchanged.
func WithFieldPrefix(err error, prefix string) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	field := prefix
	if e.Field != "" {
		field = prefix + "." + e.Field
	}
	msg := e.Message
	if e.Field != "" && len(msg) > len(e.Field) && msg[:len(e.Field)] == e.Field {
		msg = field + msg[len(e.Field):]
	} else {
		msg = prefix + ": " + msg
	}
	return &Error{Code: e.Code, Message: msg, Field: field}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the client-safe message of the first *Error in err's
// chain, or a generic message for any other error so internals never leak.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	default:
		return "internal error"
	}
}

// ErrorField returns the field path of the first *Error in err's chain, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
