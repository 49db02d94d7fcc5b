package openai

import (
	"log/slog"
	"net/http"
)

// Client talks to one OpenAI-compatible server with one model. It is safe
// for concurrent use; its fields are never modified after NewClient.
type Client struct {
	cfg    Config
	http   *http.Client
	logger *slog.Logger
}

// NewClient validates cfg, applies its defaults and returns a Client. It
// does no I/O. httpClient may be nil for a fresh http.Client (per-attempt
// limits come from Config.Timeout, not from httpClient.Timeout); logger may
// be nil to discard logs.
func NewClient(cfg Config, httpClient *http.Client, logger *slog.Logger) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if httpClient == nil {
		httpClient = &http.Client{}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Client{cfg: cfg, http: httpClient, logger: logger}, nil
}

// Model returns the configured model name.
func (c *Client) Model() string { return c.cfg.Model }
