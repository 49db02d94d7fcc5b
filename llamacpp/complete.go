package llamacpp

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"unicode"

	"github.com/hybridgroup/yzma/pkg/llama"

	"github.com/aislehq/aisle/openai"
)

// Complete asks the model for the next assistant message after msgs: its
// text, or the tool calls it asks for when opts.Tools is set (see the
// package comment for the format). opts.MaxTokens caps the reply (0:
// DefaultMaxTokens; the context window caps it too); opts.Temperature sets
// the sampling temperature (nil: DefaultTemperature; 0: greedy, the same
// reply every time). FinishReason is "stop", "length" or "tool_calls".
// It returns ctx's error when ctx is done before the reply is, ErrClosed
// when the Model is not open, an error wrapping ErrPromptTooLong when the
// prompt fills the context window, and an error naming the message for
// messages it cannot send (images, unknown roles).
func (m *Model) Complete(ctx context.Context, msgs []openai.Message, opts openai.ChatOptions) (openai.Completion, error) {
	comp, _, err := m.complete(ctx, msgs, opts)
	return comp, err
}

// Chat answers user under the instructions in system (none when empty),
// with Options.Chat; it is copywriter.Chat.
func (m *Model) Chat(ctx context.Context, system, user string) (string, error) {
	msgs := []openai.Message{{Role: "user", Content: user}}
	if system != "" {
		msgs = append([]openai.Message{{Role: "system", Content: system}}, msgs...)
	}
	comp, err := m.Complete(ctx, msgs, m.opts.Chat)
	if err != nil {
		return "", err
	}
	return comp.Content, nil
}

// complete is Complete, also returning how many tokens the model
// generated.
func (m *Model) complete(ctx context.Context, msgs []openai.Message, opts openai.ChatOptions) (openai.Completion, int, error) {
	if len(msgs) == 0 {
		return openai.Completion{}, 0, errors.New("llamacpp: complete: no messages")
	}
	useTools, err := checkTools(opts.Tools, opts.ToolChoice)
	if err != nil {
		return openai.Completion{}, 0, fmt.Errorf("llamacpp: complete: %w", err)
	}
	turns, err := chatTurns(msgs, opts, useTools)
	if err != nil {
		return openai.Completion{}, 0, fmt.Errorf("llamacpp: complete: %w", err)
	}
	maxTokens := opts.MaxTokens
	if maxTokens <= 0 {
		maxTokens = DefaultMaxTokens
	}
	temp := DefaultTemperature
	if opts.Temperature != nil {
		temp = *opts.Temperature
	}
	if err := m.acquire(ctx); err != nil {
		return openai.Completion{}, 0, err
	}
	defer m.release()
	if !m.open {
		return openai.Completion{}, 0, ErrClosed
	}
	prompt := m.renderLocked(turns)
	text, n, finish, err := m.generateLocked(ctx, prompt, maxTokens, temp)
	if err != nil {
		return openai.Completion{}, n, err
	}
	comp := openai.Completion{Content: text, FinishReason: finish}
	if useTools {
		if rest, calls := parseToolCalls(text, opts.Tools); len(calls) > 0 {
			comp.Content, comp.ToolCalls, comp.FinishReason = rest, calls, "tool_calls"
		}
	}
	return comp, n, nil
}

// turn is one message as the chat template gets it.
type turn struct{ role, content string }

// chatTurns turns msgs into template turns: tool calls written as the
// model is asked to write them, tool results as user messages, and the
// tool instructions in the system message.
func chatTurns(msgs []openai.Message, opts openai.ChatOptions, useTools bool) ([]turn, error) {
	var turns []turn
	for i, msg := range msgs {
		if len(msg.Images) > 0 {
			return nil, fmt.Errorf("message %d: images are not supported by an in-process model", i)
		}
		switch msg.Role {
		case "system", "user":
			turns = append(turns, turn{msg.Role, msg.Content})
		case "assistant":
			var b strings.Builder
			b.WriteString(msg.Content)
			for _, tc := range msg.ToolCalls {
				if b.Len() > 0 {
					b.WriteByte('\n')
				}
				b.WriteString(formatToolCall(tc))
			}
			turns = append(turns, turn{"assistant", b.String()})
		case "tool":
			turns = append(turns, turn{"user", fmt.Sprintf("Result of tool call %s:\n%s", msg.ToolCallID, msg.Content)})
		default:
			return nil, fmt.Errorf("message %d: unknown role %q (want system, user, assistant or tool)", i, msg.Role)
		}
	}
	// llama.cpp takes C strings: a NUL would cut a message short (and
	// yzma passes no string at all for one that holds a NUL).
	for i := range turns {
		turns[i].content = strings.ReplaceAll(turns[i].content, "\x00", "")
	}
	if useTools {
		instr := toolPrompt(opts.Tools, opts.ToolChoice)
		if turns[0].role == "system" {
			turns[0].content = strings.TrimSpace(turns[0].content + "\n\n" + instr)
		} else {
			turns = append([]turn{{"system", instr}}, turns...)
		}
	}
	return turns, nil
}

// renderLocked renders turns with the model's chat template, or ChatML
// when it has none llama.cpp knows, ending with the assistant's cue.
func (m *Model) renderLocked(turns []turn) string {
	if m.tmpl == "" {
		return chatML(turns)
	}
	chat := make([]llama.ChatMessage, len(turns))
	size := 0
	for i, t := range turns {
		chat[i] = llama.NewChatMessage(t.role, t.content)
		size += len(t.role) + len(t.content)
	}
	buf := make([]byte, 2*size+256)
	n := llama.ChatApplyTemplate(m.tmpl, chat, true, buf)
	if int(n) > len(buf) {
		buf = make([]byte, n)
		n = llama.ChatApplyTemplate(m.tmpl, chat, true, buf)
	}
	runtime.KeepAlive(chat)
	if n <= 0 || int(n) > len(buf) {
		return chatML(turns) // a template llama.cpp does not recognise
	}
	return string(buf[:n])
}

// chatML renders turns in ChatML, the fallback template.
func chatML(turns []turn) string {
	var b strings.Builder
	for _, t := range turns {
		fmt.Fprintf(&b, "<|im_start|>%s\n%s<|im_end|>\n", t.role, t.content)
	}
	b.WriteString("<|im_start|>assistant\n")
	return b.String()
}

// generateLocked evaluates prompt and samples at most maxTokens tokens at
// temperature temp, returning the text, the number of tokens generated
// and the finish reason.
func (m *Model) generateLocked(ctx context.Context, prompt string, maxTokens int, temp float64) (string, int, string, error) {
	tokens := llama.Tokenize(m.vocab, strings.ReplaceAll(prompt, "\x00", ""), true, true)
	if len(tokens) == 0 {
		return "", 0, "", errors.New("llamacpp: complete: the prompt has no tokens")
	}
	if len(tokens) >= m.nCtx {
		return "", 0, "", fmt.Errorf("%w: %d tokens, window %d", ErrPromptTooLong, len(tokens), m.nCtx)
	}
	finishAtMax := "length"
	maxTokens = min(maxTokens, m.nCtx-len(tokens))

	mem, err := llama.GetMemory(m.lctx)
	if err != nil {
		return "", 0, "", fmt.Errorf("llamacpp: complete: %w", err)
	}
	if err := llama.MemoryClear(mem, true); err != nil {
		return "", 0, "", fmt.Errorf("llamacpp: complete: clear the KV cache: %w", err)
	}
	smpl := newSampler(temp, m.opts.Seed)
	defer llama.SamplerFree(smpl)

	m.running.Store(&ctx)
	defer m.running.Store(nil)
	decode := func(toks []llama.Token) error {
		rc, err := llama.Decode(m.lctx, llama.BatchGetOne(toks))
		runtime.KeepAlive(toks)
		switch {
		case err != nil:
			return fmt.Errorf("llamacpp: complete: %w", err)
		case ctx.Err() != nil:
			return ctx.Err()
		case rc != 0:
			return fmt.Errorf("llamacpp: complete: llama_decode returned %d", rc)
		}
		return nil
	}
	if err := decode(tokens); err != nil {
		return "", 0, "", err
	}
	var out []byte
	piece := make([]byte, 64)
	n := 0
	for ; n < maxTokens; n++ {
		if err := ctx.Err(); err != nil {
			return "", n, "", err
		}
		tok := llama.SamplerSample(smpl, m.lctx, -1)
		if llama.VocabIsEOG(m.vocab, tok) {
			return clean(out), n, "stop", nil
		}
		k := llama.TokenToPiece(m.vocab, tok, piece, 0, false)
		if k < 0 {
			piece = make([]byte, -k)
			k = llama.TokenToPiece(m.vocab, tok, piece, 0, false)
		}
		if k > 0 {
			out = append(out, piece[:k]...)
		}
		if m.onToken != nil {
			m.onToken(n + 1)
		}
		if n+1 < maxTokens {
			if err := decode([]llama.Token{tok}); err != nil {
				return "", n + 1, "", err
			}
		}
	}
	return clean(out), n, finishAtMax, nil
}

// clean makes the model's bytes text: byte-fallback tokens can leave
// invalid UTF-8 and control characters, which are dropped (newlines and
// tabs stay).
func clean(b []byte) string {
	s := strings.ToValidUTF8(string(b), "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// Sampling above temperature 0 (llama.cpp's defaults).
const (
	topK = 40
	topP = 0.95
	minP = 0.05
)

// newSampler returns the sampler chain for temperature temp: greedy at 0
// or below.
func newSampler(temp float64, seed uint32) llama.Sampler {
	chain := llama.SamplerChainInit(llama.SamplerChainDefaultParams())
	if temp <= 0 {
		llama.SamplerChainAdd(chain, llama.SamplerInitGreedy())
		return chain
	}
	if seed == 0 {
		seed = llama.DefaultSeed
	}
	llama.SamplerChainAdd(chain, llama.SamplerInitTopK(topK))
	llama.SamplerChainAdd(chain, llama.SamplerInitTopP(topP, 1))
	llama.SamplerChainAdd(chain, llama.SamplerInitMinP(minP, 1))
	llama.SamplerChainAdd(chain, llama.SamplerInitTemp(float32(temp)))
	llama.SamplerChainAdd(chain, llama.SamplerInitDist(seed))
	return chain
}
