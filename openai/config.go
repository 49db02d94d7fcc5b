package openai

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Defaults applied by NewClient to zero-valued Config fields.
const (
	// DefaultBatchSize is the default number of inputs per request.
	DefaultBatchSize = 64
	// DefaultTimeout is the default limit on a single attempt.
	DefaultTimeout = 30 * time.Second
	// DefaultMaxRetries is the default number of retries after the first attempt.
	DefaultMaxRetries = 3
	// DefaultBackoff is the default wait before the first retry.
	DefaultBackoff = 500 * time.Millisecond
	// DefaultMaxResponseBytes is the default limit on a response body (64 MiB).
	DefaultMaxResponseBytes = 64 << 20
	// DefaultIdleTimeout is the default limit on the wait for the next
	// chunk of a streamed reply.
	DefaultIdleTimeout = 30 * time.Second

	// maxBackoff caps the doubling backoff between retries.
	maxBackoff = 10 * time.Second
	// maxRetryAfter caps how long a server's Retry-After can make us wait.
	maxRetryAfter = time.Minute
)

// Config configures a Client. Zero values of the optional fields take the
// documented defaults.
type Config struct {
	// BaseURL is the API root including its version prefix, e.g.
	// "http://localhost:11434/v1" or "https://api.openai.com/v1". Required;
	// must be an absolute http or https URL. A trailing slash is ignored.
	BaseURL string
	// APIKey, when set, is sent as "Authorization: Bearer <APIKey>".
	APIKey string
	// Model is the model name sent with every request. Required.
	Model string
	// BatchSize is the number of inputs per request (default 64).
	BatchSize int
	// Timeout limits each attempt, including reading the response
	// (default 30s). The caller's context bounds the call as a whole.
	Timeout time.Duration
	// MaxRetries is the number of retries after the first attempt
	// (default 3; a negative value disables retries).
	MaxRetries int
	// Backoff is the wait before the first retry (default 500ms). It
	// doubles on each further retry, with jitter, capped at 10s. A
	// Retry-After header from the server, capped at one minute, takes
	// precedence.
	Backoff time.Duration
	// Dimensions, when > 0, is sent as "dimensions" to ask the model for
	// shorter vectors, and every returned vector must have that length.
	Dimensions int
	// MaxResponseBytes limits the size of a response body (default 64 MiB),
	// a streamed one included.
	MaxResponseBytes int64
	// IdleTimeout limits the wait for each line of a streamed reply
	// (default 30s): a stream that stalls longer fails with ErrStreamIdle.
	// For a stream, Timeout limits the wait for the response headers.
	IdleTimeout time.Duration
}

// withDefaults validates c and returns it with defaults filled in and
// BaseURL normalised.
func (c Config) withDefaults() (Config, error) {
	if strings.TrimSpace(c.BaseURL) == "" {
		return c, errors.New("openai: Config.BaseURL is required")
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil {
		return c, fmt.Errorf("openai: Config.BaseURL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("openai: Config.BaseURL %q must be an absolute http or https URL", c.BaseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return c, fmt.Errorf("openai: Config.BaseURL %q must not have a query or fragment", c.BaseURL)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if strings.TrimSpace(c.Model) == "" {
		return c, errors.New("openai: Config.Model is required")
	}
	switch {
	case c.BatchSize < 0:
		return c, fmt.Errorf("openai: Config.BatchSize %d is negative", c.BatchSize)
	case c.Timeout < 0:
		return c, fmt.Errorf("openai: Config.Timeout %v is negative", c.Timeout)
	case c.Backoff < 0:
		return c, fmt.Errorf("openai: Config.Backoff %v is negative", c.Backoff)
	case c.Dimensions < 0:
		return c, fmt.Errorf("openai: Config.Dimensions %d is negative", c.Dimensions)
	case c.MaxResponseBytes < 0:
		return c, fmt.Errorf("openai: Config.MaxResponseBytes %d is negative", c.MaxResponseBytes)
	case c.IdleTimeout < 0:
		return c, fmt.Errorf("openai: Config.IdleTimeout %v is negative", c.IdleTimeout)
	}
	if c.BatchSize == 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	switch {
	case c.MaxRetries == 0:
		c.MaxRetries = DefaultMaxRetries
	case c.MaxRetries < 0:
		c.MaxRetries = 0
	}
	if c.Backoff == 0 {
		c.Backoff = DefaultBackoff
	}
	if c.MaxResponseBytes == 0 {
		c.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	return c, nil
}
