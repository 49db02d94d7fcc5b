package openai

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxErrorBodyBytes caps how much of an error response is read.
const maxErrorBodyBytes = 64 << 10

// attemptResult is the outcome of one HTTP attempt.
type attemptResult struct {
	body       []byte        // response body on success
	status     int           // HTTP status, 0 when no response
	message    string        // server error message, or network error text
	retryAfter time.Duration // server's Retry-After, -1 when absent
	err        error         // network error, when status is 0
	retryable  bool          // whether another attempt may succeed
}

// post sends payload as JSON to BaseURL+path, retrying network errors,
// per-attempt timeouts, 429 and 5xx up to MaxRetries times. It returns the
// body of the first 2xx response, ctx's error if ctx ends, or an *APIError.
func (c *Client) post(ctx context.Context, path string, payload []byte) ([]byte, error) {
	url := c.cfg.BaseURL + path
	for attempt := 1; ; attempt++ {
		res, err := c.attempt(ctx, url, payload)
		if err != nil {
			return nil, err
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %w", path, context.Cause(ctx))
		}
		if res.status/100 == 2 {
			return res.body, nil
		}
		apiErr := &APIError{StatusCode: res.status, Message: res.message, Attempts: attempt, Err: res.err}
		if !res.retryable || attempt > c.cfg.MaxRetries {
			return nil, apiErr
		}
		wait := res.retryAfter
		if wait < 0 {
			wait = c.backoff(attempt)
		}
		c.logger.WarnContext(ctx, "openai: retrying request",
			"path", path, "attempt", attempt, "status", res.status, "error", res.message, "wait", wait)
		if err := sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%s: %w (after %v)", path, err, apiErr)
		}
	}
}

// attempt makes one request under its own timeout. A non-nil error is
// final (the request could not be built, or the response was unusable);
// transient failures are reported in the result.
func (c *Client) attempt(ctx context.Context, url string, payload []byte) (attemptResult, error) {
	actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := c.newRequest(actx, url, payload, "application/json")
	if err != nil {
		return attemptResult{}, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return networkFailure(err), nil
	}
	defer resp.Body.Close()

	if resp.StatusCode/100 == 2 {
		body, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxResponseBytes+1))
		if err != nil {
			return networkFailure(fmt.Errorf("read response: %w", err)), nil
		}
		if int64(len(body)) > c.cfg.MaxResponseBytes {
			return attemptResult{}, fmt.Errorf("response exceeds %d bytes", c.cfg.MaxResponseBytes)
		}
		return attemptResult{body: body, status: resp.StatusCode}, nil
	}
	return errorResult(resp), nil
}

// newRequest builds a POST of payload to url accepting accept.
func (c *Client) newRequest(ctx context.Context, url string, payload []byte, accept string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", accept)
	if c.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
	}
	return req, nil
}

// errorResult reads a non-2xx response into a result: the server's
// message, its Retry-After, and whether to retry (429 and 5xx).
func errorResult(resp *http.Response) attemptResult {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBodyBytes)) // let the connection be reused
	msg := errorMessage(body)
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	return attemptResult{
		status:     resp.StatusCode,
		message:    msg,
		retryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
		retryable:  resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500,
	}
}

// networkFailure describes an attempt that got no usable response.
func networkFailure(err error) attemptResult {
	msg := err.Error()
	if errors.Is(err, context.DeadlineExceeded) {
		msg = "attempt timed out: " + msg
	}
	return attemptResult{message: truncate(msg, maxMessageBytes), retryAfter: -1, err: err, retryable: true}
}

// backoff returns the wait before retry number attempt (1-based): Backoff
// doubled per earlier retry, capped at maxBackoff, jittered to [d/2, d].
func (c *Client) backoff(attempt int) time.Duration {
	d := c.cfg.Backoff
	for i := 1; i < attempt && d < maxBackoff; i++ {
		d *= 2
	}
	d = min(d, maxBackoff)
	half := d / 2
	return half + rand.N(d-half+1)
}

// parseRetryAfter parses a Retry-After header, in delay-seconds or as an
// HTTP date relative to now. It returns -1 when the header is absent or
// invalid, and caps the delay at maxRetryAfter.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return -1
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return -1
		}
		return min(time.Duration(min(secs, int64(maxRetryAfter/time.Second)))*time.Second, maxRetryAfter)
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return -1
	}
	return min(max(t.Sub(now), 0), maxRetryAfter)
}

// sleep waits for d or until ctx ends, returning ctx's cause in that case.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return context.Cause(ctx)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
