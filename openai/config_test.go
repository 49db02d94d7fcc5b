package openai

import (
	"strings"
	"testing"
	"time"
)

func TestNewClientValidation(t *testing.T) {
	valid := Config{BaseURL: "http://localhost:11434/v1", Model: "nomic-embed-text"}
	tests := []struct {
		name    string
		mod     func(*Config)
		wantErr string // substring; empty means success
	}{
		{"valid", func(*Config) {}, ""},
		{"https with trailing slash", func(c *Config) { c.BaseURL = "https://api.openai.com/v1/" }, ""},
		{"missing base URL", func(c *Config) { c.BaseURL = "" }, "BaseURL is required"},
		{"relative base URL", func(c *Config) { c.BaseURL = "localhost/v1" }, "BaseURL"},
		{"bad scheme", func(c *Config) { c.BaseURL = "ftp://host/v1" }, "BaseURL"},
		{"unparsable base URL", func(c *Config) { c.BaseURL = "http://[::1" }, "BaseURL"},
		{"base URL with query", func(c *Config) { c.BaseURL = "http://host/v1?x=1" }, "BaseURL"},
		{"missing model", func(c *Config) { c.Model = " " }, "Model is required"},
		{"negative batch size", func(c *Config) { c.BatchSize = -1 }, "BatchSize"},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, "Timeout"},
		{"negative backoff", func(c *Config) { c.Backoff = -time.Second }, "Backoff"},
		{"negative dimensions", func(c *Config) { c.Dimensions = -3 }, "Dimensions"},
		{"negative max response", func(c *Config) { c.MaxResponseBytes = -1 }, "MaxResponseBytes"},
		{"negative idle timeout", func(c *Config) { c.IdleTimeout = -time.Second }, "IdleTimeout"},
		{"negative retries disables", func(c *Config) { c.MaxRetries = -1 }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			tt.mod(&cfg)
			c, err := NewClient(cfg, nil, nil)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("NewClient: %v", err)
				}
				if c == nil {
					t.Fatal("nil client")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("NewClient error = %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
}

func TestNewClientDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   Config
		want Config
	}{
		{
			name: "zero values take defaults",
			in:   Config{BaseURL: "http://h/v1/", Model: "m"},
			want: Config{BaseURL: "http://h/v1", Model: "m", BatchSize: 64, Timeout: 30 * time.Second,
				MaxRetries: 3, Backoff: 500 * time.Millisecond, MaxResponseBytes: 64 << 20, IdleTimeout: 30 * time.Second},
		},
		{
			name: "explicit values kept, negative retries means none",
			in: Config{BaseURL: "http://h/v1", Model: "m", APIKey: "k", BatchSize: 8, Timeout: time.Second,
				MaxRetries: -1, Backoff: time.Millisecond, Dimensions: 256, MaxResponseBytes: 1024, IdleTimeout: time.Second},
			want: Config{BaseURL: "http://h/v1", Model: "m", APIKey: "k", BatchSize: 8, Timeout: time.Second,
				MaxRetries: 0, Backoff: time.Millisecond, Dimensions: 256, MaxResponseBytes: 1024, IdleTimeout: time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(tt.in, nil, nil)
			if err != nil {
				t.Fatalf("NewClient: %v", err)
			}
			if c.cfg != tt.want {
				t.Fatalf("config = %+v, want %+v", c.cfg, tt.want)
			}
		})
	}
}
