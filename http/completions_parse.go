package http

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aislehq/aisle"
)

// completionRequest is an OpenAI chat completion request as Aisle reads
// it.
type completionRequest struct {
	Model    string
	Messages []chatMessage // every message, in order; the last is the user's
	Stream   bool
	// IncludeUsage asks for a last chunk with the usage
	// (stream_options.include_usage).
	IncludeUsage bool
	User         string
	Session      string
	Lang         string
}

// last returns the last message, the one the assistant answers.
func (r completionRequest) last() chatMessage { return r.Messages[len(r.Messages)-1] }

// chatMessage is one message of a conversation: its role and its text
// (the text parts of its content joined by new lines).
type chatMessage struct {
	role, text string
}

// completionBody is the JSON body of an OpenAI chat completion request.
// The fields of type json.RawMessage after the first block are OpenAI's
// settings that Aisle accepts and ignores; any other field is refused.
type completionBody struct {
	Model         string            `json:"model"`
	Messages      []json.RawMessage `json:"messages"`
	Stream        bool              `json:"stream"`
	StreamOptions *struct {
		IncludeUsage       bool            `json:"include_usage"`
		IncludeObfuscation json.RawMessage `json:"include_obfuscation"`
	} `json:"stream_options"`
	User    string `json:"user"`
	N       *int   `json:"n"`
	Session string `json:"session"` // Aisle's: the session to continue
	Lang    string `json:"lang"`    // Aisle's: "en" or "zh"

	Temperature          json.RawMessage `json:"temperature"`
	TopP                 json.RawMessage `json:"top_p"`
	MaxTokens            json.RawMessage `json:"max_tokens"`
	MaxCompletionTokens  json.RawMessage `json:"max_completion_tokens"`
	PresencePenalty      json.RawMessage `json:"presence_penalty"`
	FrequencyPenalty     json.RawMessage `json:"frequency_penalty"`
	LogitBias            json.RawMessage `json:"logit_bias"`
	Logprobs             json.RawMessage `json:"logprobs"`
	TopLogprobs          json.RawMessage `json:"top_logprobs"`
	Seed                 json.RawMessage `json:"seed"`
	Stop                 json.RawMessage `json:"stop"`
	Tools                json.RawMessage `json:"tools"`
	ToolChoice           json.RawMessage `json:"tool_choice"`
	ParallelToolCalls    json.RawMessage `json:"parallel_tool_calls"`
	Functions            json.RawMessage `json:"functions"`
	FunctionCall         json.RawMessage `json:"function_call"`
	ResponseFormat       json.RawMessage `json:"response_format"`
	Metadata             json.RawMessage `json:"metadata"`
	Store                json.RawMessage `json:"store"`
	ServiceTier          json.RawMessage `json:"service_tier"`
	Modalities           json.RawMessage `json:"modalities"`
	Audio                json.RawMessage `json:"audio"`
	Prediction           json.RawMessage `json:"prediction"`
	ReasoningEffort      json.RawMessage `json:"reasoning_effort"`
	Verbosity            json.RawMessage `json:"verbosity"`
	WebSearchOptions     json.RawMessage `json:"web_search_options"`
	PromptCacheKey       json.RawMessage `json:"prompt_cache_key"`
	PromptCacheRetention json.RawMessage `json:"prompt_cache_retention"`
	SafetyIdentifier     json.RawMessage `json:"safety_identifier"`
}

// messageBody is one message of the request. Name, tool calls and the
// like are accepted and ignored.
type messageBody struct {
	Role         string          `json:"role"`
	Content      json.RawMessage `json:"content"`
	Name         json.RawMessage `json:"name"`
	ToolCalls    json.RawMessage `json:"tool_calls"`
	ToolCallID   json.RawMessage `json:"tool_call_id"`
	FunctionCall json.RawMessage `json:"function_call"`
	Refusal      json.RawMessage `json:"refusal"`
	Audio        json.RawMessage `json:"audio"`
}

// contentPart is one part of an array content. Members other than these
// are ignored; parts that are not text are refused.
type contentPart struct {
	Type    string  `json:"type"`
	Text    *string `json:"text"`
	Refusal *string `json:"refusal"`
}

// messageRoles are the roles a message may have.
var messageRoles = map[string]bool{"system": true, "developer": true, "user": true, "assistant": true, "tool": true, "function": true}

// parseCompletion decodes and checks an OpenAI chat completion body.
// Errors are *aisle.Error naming the field ("messages[1].content[0].type"):
// EINVALID, or ENOTFOUND naming model for a model other than
// AssistantModel. The last message's text is not checked here
// (assistant.CheckRequest does).
func parseCompletion(body []byte) (completionRequest, error) {
	var b completionBody
	if err := decodeObject(body, &b); err != nil {
		return completionRequest{}, err
	}
	switch {
	case b.Model == "":
		return completionRequest{}, aisle.FieldErrorf(aisle.EINVALID, "model", "is required: use %q", AssistantModel)
	case b.Model != AssistantModel:
		return completionRequest{}, aisle.FieldErrorf(aisle.ENOTFOUND, "model", "the model %q does not exist: this server answers %q", clip(b.Model), AssistantModel)
	case b.Messages == nil:
		return completionRequest{}, aisle.FieldErrorf(aisle.EINVALID, "messages", "is required")
	case len(b.Messages) == 0:
		return completionRequest{}, aisle.FieldErrorf(aisle.EINVALID, "messages", "must not be empty")
	case b.N != nil && *b.N != 1:
		return completionRequest{}, aisle.FieldErrorf(aisle.EINVALID, "n", "must be 1: the assistant gives one reply")
	}
	req := completionRequest{Model: b.Model, Stream: b.Stream, User: b.User, Session: b.Session, Lang: b.Lang}
	if b.StreamOptions != nil {
		req.IncludeUsage = b.StreamOptions.IncludeUsage
	}
	for i, raw := range b.Messages {
		m, err := parseMessage(raw, fmt.Sprintf("messages[%d]", i))
		if err != nil {
			return completionRequest{}, err
		}
		req.Messages = append(req.Messages, m)
	}
	if last := req.last(); last.role != "user" {
		return completionRequest{}, aisle.FieldErrorf(aisle.EINVALID, fmt.Sprintf("messages[%d].role", len(req.Messages)-1), "the last message must be the user's (role user), not %q", last.role)
	}
	return req, nil
}

// parseMessage decodes the message raw, whose path in the body is field.
func parseMessage(raw json.RawMessage, field string) (chatMessage, error) {
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		return chatMessage{}, aisle.FieldErrorf(aisle.EINVALID, field, "must be an object with role and content")
	}
	var m messageBody
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return chatMessage{}, jsonError(err, field, raw)
	}
	if !messageRoles[m.Role] {
		return chatMessage{}, aisle.FieldErrorf(aisle.EINVALID, field+".role", "must be user, assistant, system, developer or tool, not %q", clip(m.Role))
	}
	text, err := contentText(m.Content, field+".content")
	if err != nil {
		return chatMessage{}, err
	}
	return chatMessage{role: m.Role, text: text}, nil
}

// contentText returns the text of a message's content: a string, an
// array of text (or refusal) parts joined by new lines, or "" for none or
// null. Parts of other types are refused.
func contentText(raw json.RawMessage, field string) (string, error) {
	if jsonNull(raw) {
		return "", nil
	}
	switch bytes.TrimSpace(raw)[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", jsonError(err, field, raw)
		}
		return s, nil
	case '[':
	default:
		return "", aisle.FieldErrorf(aisle.EINVALID, field, "must be a string or an array of text parts")
	}
	var parts []json.RawMessage
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", jsonError(err, field, raw)
	}
	texts := make([]string, 0, len(parts))
	for j, praw := range parts {
		pf := fmt.Sprintf("%s[%d]", field, j)
		if t := bytes.TrimSpace(praw); len(t) == 0 || t[0] != '{' {
			return "", aisle.FieldErrorf(aisle.EINVALID, pf, "must be an object such as {\"type\":\"text\",\"text\":\"…\"}")
		}
		var p contentPart
		if err := json.Unmarshal(praw, &p); err != nil {
			return "", jsonError(err, pf, praw)
		}
		switch {
		case p.Type == "text" && p.Text != nil:
			texts = append(texts, *p.Text)
		case p.Type == "refusal" && p.Refusal != nil:
			texts = append(texts, *p.Refusal)
		case p.Type == "text" || p.Type == "refusal":
			return "", aisle.FieldErrorf(aisle.EINVALID, pf+"."+p.Type, "is required")
		case p.Type == "":
			return "", aisle.FieldErrorf(aisle.EINVALID, pf+".type", "is required")
		default:
			return "", errNoText(pf+".type", p.Type)
		}
	}
	return strings.Join(texts, "\n"), nil
}
