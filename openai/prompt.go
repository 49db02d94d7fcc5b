package openai

import (
	"context"
	"fmt"
)

// Prompter adapts a Client to the plain-text interfaces of Aisle's
// language layer: Chat sends a system prompt and one user message (the
// copywriter's model), Describe asks about one photo (the Q&A's vision
// model). Both stream the reply, so that Config.IdleTimeout ends a model
// that stalls mid-reply, and return its text.
type Prompter struct {
	Client  *Client
	Options ChatOptions
}

// Chat answers user under the instructions in system.
func (p Prompter) Chat(ctx context.Context, system, user string) (string, error) {
	msgs := []Message{{Role: "user", Content: user}}
	if system != "" {
		msgs = append([]Message{{Role: "system", Content: system}}, msgs...)
	}
	return p.text(ctx, msgs)
}

// Describe answers prompt about the photo at imageURL (an http(s) URL the
// model's server can fetch, or a data: URL).
func (p Prompter) Describe(ctx context.Context, prompt, imageURL string) (string, error) {
	return p.text(ctx, []Message{{Role: "user", Content: prompt, Images: []Image{{URL: imageURL}}}})
}

// text streams the reply to msgs and returns its text; a reply cut off
// by a content filter is an error.
func (p Prompter) text(ctx context.Context, msgs []Message) (string, error) {
	s, err := p.Client.ChatStream(ctx, msgs, p.Options)
	if err != nil {
		return "", err
	}
	comp, err := s.Collect(nil)
	if err != nil {
		return "", err
	}
	if comp.FinishReason == "content_filter" {
		return "", fmt.Errorf("openai: chat: the reply was stopped by the server's content filter")
	}
	return comp.Content, nil
}
