package openai

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Message is one chat message. Content is its text; Images, for a user
// message, are photos the model is asked about (vision models such as
// LLaVA under Ollama, Qwen-VL under vLLM, or OpenAI's).
//
// Tool calling: an assistant message the model answered with tool calls
// carries them in ToolCalls (send it back as it came); the result of each
// call goes back in a message with Role "tool", ToolCallID naming the
// call and the result (usually JSON) in Content.
type Message struct {
	Role       string // "system", "user", "assistant" or "tool"
	Content    string
	Images     []Image
	ToolCalls  []ToolCall
	ToolCallID string
}

// Tool is a function the model may ask to call.
type Tool struct {
	// Name is the function's name: 1 to 64 letters, digits, '_' or '-'.
	Name string
	// Description tells the model what the function does.
	Description string
	// Parameters is the JSON Schema of the arguments object; nil for a
	// function without arguments.
	Parameters json.RawMessage
}

// ToolCall is a call of a Tool the model asks for.
type ToolCall struct {
	// ID identifies the call; the tool message answering it repeats it.
	ID string
	// Name is the function's name.
	Name string
	// Arguments is the model's JSON text of the arguments, as it wrote
	// it: decode it as untrusted input.
	Arguments string
}

// Completion is a model's whole reply: its text, the tool calls it asks
// for, and why it stopped.
type Completion struct {
	Content   string
	ToolCalls []ToolCall
	// FinishReason is the server's: "stop", "length", "tool_calls",
	// "content_filter", or "" when it sent none.
	FinishReason string
}

// Image is a photo sent inline: its bytes and media type ("image/jpeg",
// "image/png", "image/webp", "image/gif"), or a URL the server fetches.
type Image struct {
	Data      []byte
	MediaType string
	URL       string
}

// ChatOptions tune one completion; zero fields are left to the server.
type ChatOptions struct {
	// MaxTokens caps the reply's length.
	MaxTokens int
	// Temperature, when not nil, sets the sampling temperature.
	Temperature *float64
	// Tools are the functions the model may call.
	Tools []Tool
	// ToolChoice is "" (the server's default), "auto", "none",
	// "required", or the name of one of Tools, which the model must call.
	ToolChoice string
}

// chatRequest is the body of POST /chat/completions.
type chatRequest struct {
	Model       string        `json:"model"`
	Messages    []chatMessage `json:"messages"`
	MaxTokens   int           `json:"max_tokens,omitempty"`
	Temperature *float64      `json:"temperature,omitempty"`
	Tools       []wireTool    `json:"tools,omitempty"`
	ToolChoice  any           `json:"tool_choice,omitempty"`
	Stream      bool          `json:"stream,omitempty"`
}

// chatMessage is a message on the wire: content is a plain string, or a
// list of text and image_url parts when it carries images, or null for
// an assistant message with tool calls and no text.
type chatMessage struct {
	Role       string         `json:"role"`
	Content    any            `json:"content"`
	ToolCalls  []wireToolCall `json:"tool_calls,omitempty"`
	ToolCallID string         `json:"tool_call_id,omitempty"`
}

// wireTool is a Tool on the wire.
type wireTool struct {
	Type     string       `json:"type"`
	Function wireFunction `json:"function"`
}

type wireFunction struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
}

// wireToolCall is a ToolCall on the wire, in requests and responses.
type wireToolCall struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type contentPart struct {
	Type     string    `json:"type"`
	Text     string    `json:"text,omitempty"`
	ImageURL *imageURL `json:"image_url,omitempty"`
}

type imageURL struct {
	URL string `json:"url"`
}

// chatResponse is what POST /chat/completions returns.
type chatResponse struct {
	Choices []struct {
		Message struct {
			Content   *string        `json:"content"`
			ToolCalls []wireToolCall `json:"tool_calls"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
}

// Chat asks the model for the next assistant message after msgs and
// returns its text. Images go inline as data: URLs (or as the URL given),
// in OpenAI's content-part form, which Ollama, vLLM and llama.cpp server
// accept. It retries as Embed does; a reply without a message is an error.
func (c *Client) Chat(ctx context.Context, msgs []Message, opts ChatOptions) (string, error) {
	comp, err := c.Complete(ctx, msgs, opts)
	if err != nil {
		return "", err
	}
	return comp.Content, nil
}

// Complete is Chat returning the whole reply, tool calls and finish
// reason included. A reply with neither text nor tool calls is an error.
func (c *Client) Complete(ctx context.Context, msgs []Message, opts ChatOptions) (Completion, error) {
	payload, err := c.chatPayload(msgs, opts, false)
	if err != nil {
		return Completion{}, fmt.Errorf("openai: chat: %w", err)
	}
	body, err := c.post(ctx, "/chat/completions", payload)
	if err != nil {
		return Completion{}, fmt.Errorf("openai: chat: %w", err)
	}
	var resp chatResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return Completion{}, fmt.Errorf("openai: chat: decode response: %w", err)
	}
	if len(resp.Choices) == 0 {
		return Completion{}, errors.New("openai: chat: the response has no message")
	}
	ch := resp.Choices[0]
	if ch.Message.Content == nil && len(ch.Message.ToolCalls) == 0 {
		return Completion{}, errors.New("openai: chat: the response has no message")
	}
	comp := Completion{FinishReason: ch.FinishReason}
	if ch.Message.Content != nil {
		comp.Content = *ch.Message.Content
	}
	if len(ch.Message.ToolCalls) > maxToolCalls {
		return Completion{}, fmt.Errorf("openai: chat: decode response: %d tool calls, more than %d", len(ch.Message.ToolCalls), maxToolCalls)
	}
	for i, tc := range ch.Message.ToolCalls {
		if tc.Function.Name == "" {
			return Completion{}, fmt.Errorf("openai: chat: decode response: tool call %d has no function name", i)
		}
		id := tc.ID
		if id == "" {
			id = fmt.Sprintf("call_%d", i)
		}
		comp.ToolCalls = append(comp.ToolCalls, ToolCall{ID: id, Name: tc.Function.Name, Arguments: tc.Function.Arguments})
	}
	return comp, nil
}

// chatPayload encodes the request body of a completion.
func (c *Client) chatPayload(msgs []Message, opts ChatOptions, stream bool) ([]byte, error) {
	if len(msgs) == 0 {
		return nil, errors.New("no messages")
	}
	req := chatRequest{Model: c.cfg.Model, MaxTokens: opts.MaxTokens, Temperature: opts.Temperature, Stream: stream}
	for i, m := range msgs {
		wm, err := wireMessage(m)
		if err != nil {
			return nil, fmt.Errorf("message %d: %w", i, err)
		}
		req.Messages = append(req.Messages, wm)
	}
	tools, choice, err := wireTools(opts.Tools, opts.ToolChoice)
	if err != nil {
		return nil, err
	}
	req.Tools, req.ToolChoice = tools, choice
	payload, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	return payload, nil
}

// wireTools validates tools and choice and encodes them for the wire.
func wireTools(tools []Tool, choice string) ([]wireTool, any, error) {
	var out []wireTool
	names := make(map[string]bool, len(tools))
	for i, t := range tools {
		if !validToolName(t.Name) {
			return nil, nil, fmt.Errorf("tool %d: name %q must be 1 to 64 letters, digits, '_' or '-'", i, t.Name)
		}
		if names[t.Name] {
			return nil, nil, fmt.Errorf("tool %d: duplicate name %q", i, t.Name)
		}
		names[t.Name] = true
		if t.Parameters != nil {
			var obj map[string]any
			if err := json.Unmarshal(t.Parameters, &obj); err != nil || obj == nil {
				return nil, nil, fmt.Errorf("tool %d (%s): parameters must be a JSON Schema object", i, t.Name)
			}
		}
		out = append(out, wireTool{Type: "function", Function: wireFunction{Name: t.Name, Description: t.Description, Parameters: t.Parameters}})
	}
	switch choice {
	case "":
		return out, nil, nil
	case "auto", "none", "required":
		return out, choice, nil
	}
	if !names[choice] {
		return nil, nil, fmt.Errorf("tool choice %q is not auto, none, required or the name of a tool", choice)
	}
	return out, map[string]any{"type": "function", "function": map[string]string{"name": choice}}, nil
}

// validToolName reports whether name is 1 to 64 of [A-Za-z0-9_-].
func validToolName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// Describe asks the model about one photo: prompt is the question
// ("Describe this product: colour, material, style").
func (c *Client) Describe(ctx context.Context, prompt string, img Image, opts ChatOptions) (string, error) {
	return c.Chat(ctx, []Message{{Role: "user", Content: prompt, Images: []Image{img}}}, opts)
}

// wireMessage encodes m for the wire.
func wireMessage(m Message) (chatMessage, error) {
	switch m.Role {
	case "system", "user", "assistant", "tool":
	default:
		return chatMessage{}, fmt.Errorf("unknown role %q (want system, user, assistant or tool)", m.Role)
	}
	if len(m.ToolCalls) > 0 && m.Role != "assistant" {
		return chatMessage{}, fmt.Errorf("tool calls are only sent in assistant messages, not %s", m.Role)
	}
	switch {
	case m.Role == "tool" && m.ToolCallID == "":
		return chatMessage{}, errors.New("a tool message needs the ToolCallID it answers")
	case m.Role != "tool" && m.ToolCallID != "":
		return chatMessage{}, fmt.Errorf("ToolCallID is only sent in tool messages, not %s", m.Role)
	}
	if len(m.ToolCalls) > 0 {
		wm := chatMessage{Role: m.Role}
		if m.Content != "" {
			wm.Content = m.Content
		}
		for k, tc := range m.ToolCalls {
			if tc.ID == "" || tc.Name == "" {
				return chatMessage{}, fmt.Errorf("tool call %d: needs an ID and a name", k)
			}
			var w wireToolCall
			w.ID, w.Type, w.Function.Name, w.Function.Arguments = tc.ID, "function", tc.Name, tc.Arguments
			wm.ToolCalls = append(wm.ToolCalls, w)
		}
		return wm, nil
	}
	if len(m.Images) == 0 {
		return chatMessage{Role: m.Role, Content: m.Content, ToolCallID: m.ToolCallID}, nil
	}
	if m.Role != "user" {
		return chatMessage{}, fmt.Errorf("images are only sent in user messages, not %s", m.Role)
	}
	parts := []contentPart{}
	if m.Content != "" {
		parts = append(parts, contentPart{Type: "text", Text: m.Content})
	}
	for k, img := range m.Images {
		u, err := img.url()
		if err != nil {
			return chatMessage{}, fmt.Errorf("image %d: %w", k, err)
		}
		parts = append(parts, contentPart{Type: "image_url", ImageURL: &imageURL{URL: u}})
	}
	return chatMessage{Role: m.Role, Content: parts}, nil
}

// url returns the image as the URL the wire carries.
func (img Image) url() (string, error) {
	switch {
	case img.URL != "" && len(img.Data) > 0:
		return "", errors.New("give either data or a URL, not both")
	case img.URL != "":
		return img.URL, nil
	case len(img.Data) == 0:
		return "", errors.New("no data")
	case !strings.HasPrefix(img.MediaType, "image/"):
		return "", fmt.Errorf("media type %q is not an image type", img.MediaType)
	}
	return "data:" + img.MediaType + ";base64," + base64.StdEncoding.EncodeToString(img.Data), nil
}
