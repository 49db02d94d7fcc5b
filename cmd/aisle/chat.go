package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/aislehq/aisle/assistant"
)

// ChatConfig configures the shopping assistant.
type ChatConfig struct {
	// Policies names the store's policy document (Markdown with "#" or
	// "##" headings per topic, or YAML "topic: text"); "" for none, when
	// policy questions get "I don't know" and a hand-off offer.
	Policies string
	// Idle is how long a conversation lives without a turn.
	Idle time.Duration
	// MaxSessions caps the conversations kept in memory.
	MaxSessions int
}

func bindChat(fs *flag.FlagSet, c *Config) {
	ch := &c.Chat
	fs.StringVar(&ch.Policies, "policies", ch.Policies, "store policy `file` the shopping assistant quotes (Markdown with # or ## headings per topic, or .yaml/.yml \"topic: text\"); unset: it answers policy questions with \"I don't know\" and a hand-off")
	fs.DurationVar(&ch.Idle, "chat-idle", ch.Idle, "how long a shopping assistant conversation lives without a turn")
	fs.IntVar(&ch.MaxSessions, "chat-max-sessions", ch.MaxSessions, "most shopping assistant conversations kept in memory (the least recently used go first)")
}

// options reads the policy file and returns the assistant's options.
func (c ChatConfig) options() (assistant.Options, error) {
	if c.Idle <= 0 {
		return assistant.Options{}, usageError{fmt.Sprintf("-chat-idle %v: must be positive", c.Idle)}
	}
	if c.MaxSessions <= 0 {
		return assistant.Options{}, usageError{fmt.Sprintf("-chat-max-sessions %d: must be positive", c.MaxSessions)}
	}
	opts := assistant.Options{Idle: c.Idle, MaxSessions: c.MaxSessions}
	if c.Policies != "" {
		p, err := assistant.ReadPolicies(c.Policies)
		if err != nil {
			return assistant.Options{}, usageError{"-policies: " + err.Error()}
		}
		opts.Policies = p
	}
	return opts, nil
}
