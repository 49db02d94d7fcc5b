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
type Message struct {
	Role    string // "system", "user" or "assistant"
	Content string
	Images  []Image
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
}

// chatRequest is the body of POST /chat/completions.
type chatRequest struct {
	Model       string        `json:"model"`
	Messages    []chatMessage `json:"messages"`
	MaxTokens   int           `json:"max_tokens,omitempty"`
	Temperature *float64      `json:"temperature,omitempty"`
}

// chatMessage is a message on the wire: content is a plain string, or a
// list of text and image_url parts when it carries images.
type chatMessage struct {
	Role    string `json:"role"`
	Content any    `json:"content"`
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
			Content *string `json:"content"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
}

// Chat asks the model for the next assistant message after msgs and
// returns its text. Images go inline as data: URLs (or as the URL given),
// in OpenAI's content-part form, which Ollama, vLLM and llama.cpp server
// accept. It retries as Embed does; a reply without a message is an error.
func (c *Client) Chat(ctx context.Context, msgs []Message, opts ChatOptions) (string, error) {
	if len(msgs) == 0 {
		return "", errors.New("openai: chat: no messages")
	}
	req := chatRequest{Model: c.cfg.Model, MaxTokens: opts.MaxTokens, Temperature: opts.Temperature}
	for i, m := range msgs {
		wm, err := wireMessage(m)
		if err != nil {
			return "", fmt.Errorf("openai: chat: message %d: %w", i, err)
		}
		req.Messages = append(req.Messages, wm)
	}
	payload, err := json.Marshal(req)
	if err != nil {
		return "", fmt.Errorf("openai: chat: encode request: %w", err)
	}
	body, err := c.post(ctx, "/chat/completions", payload)
	if err != nil {
		return "", fmt.Errorf("openai: chat: %w", err)
	}
	var resp chatResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return "", fmt.Errorf("openai: chat: decode response: %w", err)
	}
	if len(resp.Choices) == 0 || resp.Choices[0].Message.Content == nil {
		return "", errors.New("openai: chat: the response has no message")
	}
	return *resp.Choices[0].Message.Content, nil
}

// Describe asks the model about one photo: prompt is the question
// ("Describe this product: colour, material, style").
func (c *Client) Describe(ctx context.Context, prompt string, img Image, opts ChatOptions) (string, error) {
	return c.Chat(ctx, []Message{{Role: "user", Content: prompt, Images: []Image{img}}}, opts)
}

// wireMessage encodes m for the wire.
func wireMessage(m Message) (chatMessage, error) {
	switch m.Role {
	case "system", "user", "assistant":
	default:
		return chatMessage{}, fmt.Errorf("unknown role %q (want system, user or assistant)", m.Role)
	}
	if len(m.Images) == 0 {
		return chatMessage{Role: m.Role, Content: m.Content}, nil
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
