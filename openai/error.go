package openai

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxMessageBytes caps the server message kept in an APIError.
const maxMessageBytes = 300

// APIError reports a request that failed for good: a non-retryable status,
// or the last of its attempts. Use errors.As to get at it.
type APIError struct {
	// StatusCode is the HTTP status of the last attempt, or 0 when it got
	// no response (network error or per-attempt timeout).
	StatusCode int
	// Message is the server's error message (truncated to 300 bytes), or
	// a description of the network error when StatusCode is 0.
	Message string
	// Attempts is the number of attempts made, including the first.
	Attempts int
	// Err is the underlying network error when StatusCode is 0, else nil.
	Err error
}

// Error implements error.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("openai: ")
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, "status %d", e.StatusCode)
		if e.Message != "" {
			b.WriteString(": ")
			b.WriteString(e.Message)
		}
	} else {
		b.WriteString(e.Message)
	}
	if e.Attempts == 1 {
		b.WriteString(" (1 attempt)")
	} else {
		fmt.Fprintf(&b, " (%d attempts)", e.Attempts)
	}
	return b.String()
}

// Unwrap returns the underlying network error, if any.
func (e *APIError) Unwrap() error { return e.Err }

// errorMessage extracts a human-readable message from an error response
// body: OpenAI's {"error":{"message":...}}, Ollama's {"error":"..."}, or
// else the raw body. The result is truncated to maxMessageBytes.
func errorMessage(body []byte) string {
	var env struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
	}
	msg := ""
	if json.Unmarshal(body, &env) == nil {
		var s string
		var obj struct {
			Message string `json:"message"`
		}
		switch {
		case json.Unmarshal(env.Error, &obj) == nil && obj.Message != "":
			msg = obj.Message
		case json.Unmarshal(env.Error, &s) == nil && s != "":
			msg = s
		case env.Message != "":
			msg = env.Message
		}
	}
	if msg == "" {
		msg = string(body)
	}
	return truncate(strings.TrimSpace(msg), maxMessageBytes)
}

// truncate shortens s to at most n bytes without splitting a UTF-8
// sequence, marking the cut with "…" within the limit.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ellipsis = "…"
	cut := n - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}
