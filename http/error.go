package http

import (
	"context"
	"errors"
	"net/http"

	"github.com/aislehq/aisle"
)

// Error codes of the HTTP layer itself, beside aisle's. Like aisle's, each
// maps to one status in statusOf.
const (
	codeMethodNotAllowed     = "method_not_allowed"     // 405
	codeUnsupportedMediaType = "unsupported_media_type" // 415
	codePreconditionFailed   = "precondition_failed"    // 412
	codeRangeNotSatisfiable  = "range_not_satisfiable"  // 416
)

// statusOf returns the HTTP status for an error code. It is the only place
// that decides a status for an error.
func statusOf(code string) int {
	switch code {
	case aisle.EINVALID:
		return http.StatusBadRequest
	case aisle.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case aisle.EFORBIDDEN:
		return http.StatusForbidden
	case aisle.ENOTFOUND:
		return http.StatusNotFound
	case codeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case aisle.ECONFLICT:
		return http.StatusConflict
	case aisle.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case codeUnsupportedMediaType:
		return http.StatusUnsupportedMediaType
	case codePreconditionFailed:
		return http.StatusPreconditionFailed
	case codeRangeNotSatisfiable:
		return http.StatusRequestedRangeNotSatisfiable
	case aisle.EUNPROCESSABLE:
		return http.StatusUnprocessableEntity
	case aisle.ERATELIMIT:
		return http.StatusTooManyRequests
	case aisle.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// errorBody is the one JSON shape of every error response:
// {"error":{"code":"...","message":"...","field":"..."}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// clientError returns the code, message and field to send for err. Errors
// that are not *aisle.Error become "internal error": their text is logged
// by the access log, never sent.
func clientError(err error) errorDetail {
	code := aisle.ErrorCode(err)
	if code == aisle.EINTERNAL {
		return errorDetail{Code: aisle.EINTERNAL, Message: "internal error"}
	}
	return errorDetail{Code: code, Message: aisle.ErrorMessage(err), Field: aisle.ErrorField(err)}
}

// writeError writes err as the JSON error body with its status, and
// records it for the access log. On POST /v1/chat/completions the body
// is OpenAI's error shape instead (see writeOpenAIError).
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	if info := infoFrom(r.Context()); info != nil {
		info.err = err
	}
	d := clientError(err)
	var limited *rateError
	switch {
	case d.Code == aisle.EUNAVAILABLE:
		w.Header().Set("Retry-After", "1")
	case errors.As(err, &limited):
		setRetryAfter(w.Header(), limited)
	case isBearerChallenge(err):
		w.Header().Set("WWW-Authenticate", bearerChallenge)
	}
	if isCompletionsRoute(r) {
		writeOpenAIError(w, statusOf(d.Code), d)
		return
	}
	writeJSON(w, statusOf(d.Code), errorBody{Error: d}) // cannot fail: strings only
}

// handlerFunc is a handler that returns its error instead of writing it.
// It must not have written anything when it returns an error.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle adapts fn to http.Handler: an error fn returns is written by
// writeError. It is the one place handler errors turn into responses.
func (s *Server) handle(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			writeError(w, r, contextError(r.Context(), err))
		}
	})
}

// contextError turns a failure that happened because the request's
// context ended (its timeout passed, or the client went away) into
// EUNAVAILABLE, keeping err for the log.
func contextError(ctx context.Context, err error) error {
	if ctx.Err() == nil || aisle.ErrorCode(err) != aisle.EINTERNAL {
		return err
	}
	return errors.Join(aisle.Errorf(aisle.EUNAVAILABLE, "request took too long or was cancelled; try again"), err)
}
