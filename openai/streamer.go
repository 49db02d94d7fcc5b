package openai

import (
	"context"
	"errors"
)

// Streamer completes chats by streaming them (ChatStream, then
// Stream.Collect), so that Config.IdleTimeout ends a model that stalls
// mid-reply, and returns the whole reply as Client.Complete does. It has
// Complete's method set: the shopping assistant's model is either. Options
// fill the zero MaxTokens and Temperature of each call's options. It is
// safe for concurrent use.
type Streamer struct {
	Client  *Client
	Options ChatOptions
}

// errContentFilter reports a reply the server's content filter stopped.
var errContentFilter = errors.New("openai: chat: the reply was stopped by the server's content filter")

// Complete streams the reply to msgs and returns it assembled. A reply
// cut off by a content filter, a stream that breaks or idles, and ctx
// ending are errors.
func (s Streamer) Complete(ctx context.Context, msgs []Message, opts ChatOptions) (Completion, error) {
	if opts.MaxTokens == 0 {
		opts.MaxTokens = s.Options.MaxTokens
	}
	if opts.Temperature == nil {
		opts.Temperature = s.Options.Temperature
	}
	st, err := s.Client.ChatStream(ctx, msgs, opts)
	if err != nil {
		return Completion{}, err
	}
	comp, err := st.Collect(nil)
	if err != nil {
		return Completion{}, err
	}
	if comp.FinishReason == "content_filter" {
		return Completion{}, errContentFilter
	}
	return comp, nil
}

// Streamer returns a Streamer over p's client and options.
func (p Prompter) Streamer() Streamer { return Streamer{Client: p.Client, Options: p.Options} }
