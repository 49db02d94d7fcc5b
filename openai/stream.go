package openai

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"
)

// Limits on what an (untrusted) server may stream.
const (
	// maxLineBytes caps one line of a Server-Sent Events stream.
	maxLineBytes = 1 << 20
	// maxToolCalls caps the tool calls in one reply.
	maxToolCalls = 128
)

// ErrStreamIdle reports a stream that sent no line for Config.IdleTimeout.
var ErrStreamIdle = errors.New("openai: stream idle: no data within the idle timeout")

// errHeaderTimeout ends an attempt whose response headers are late.
var errHeaderTimeout = errors.New("attempt timed out waiting for the response headers")

// Delta is one piece of a streamed reply.
type Delta struct {
	// Content is the next piece of the reply's text.
	Content string
	// ToolCalls are pieces of tool calls; Completion assembles them.
	ToolCalls []ToolCallDelta
	// FinishReason is set on the last piece of the reply ("stop",
	// "length", "tool_calls", "content_filter").
	FinishReason string
}

// ToolCallDelta is a piece of the tool call numbered Index: the first
// usually carries its ID and Name, the rest pieces of Arguments.
type ToolCallDelta struct {
	Index     int
	ID        string
	Name      string
	Arguments string
}

// Stream reads a streamed reply; ChatStream returns it. Call Next until
// it returns an error (io.EOF at the end of the reply), then Completion
// for the whole reply; always Close it. Next is not safe for concurrent
// use; Close may be called from another goroutine to abort a Next.
type Stream struct {
	ctx    context.Context // the request's, ended by cancel
	cancel context.CancelCauseFunc
	body   io.ReadCloser
	r      *bufio.Reader
	idle   time.Duration
	timer  *time.Timer
	max    int64 // bytes the stream may carry
	read   int64

	line  []byte // a line longer than the reader's buffer
	data  []byte // the pending event's data
	event []byte // the pending event's type
	comp  Completion
	calls map[int]*ToolCall
	done  bool
	err   error // sticky
	once  sync.Once
}

// ChatStream asks the model for the next assistant message after msgs,
// streamed ("stream": true, Server-Sent Events). It retries as Chat does
// until the response headers arrive (each attempt waiting at most
// Config.Timeout for them); once the stream has begun nothing is retried.
// Each line must arrive within Config.IdleTimeout, and the stream may
// carry at most Config.MaxResponseBytes. Ending ctx stops a Next at once.
func (c *Client) ChatStream(ctx context.Context, msgs []Message, opts ChatOptions) (*Stream, error) {
	payload, err := c.chatPayload(msgs, opts, true)
	if err != nil {
		return nil, fmt.Errorf("openai: chat stream: %w", err)
	}
	const path = "/chat/completions"
	url := c.cfg.BaseURL + path
	for attempt := 1; ; attempt++ {
		s, res, err := c.openStream(ctx, url, payload)
		if err != nil {
			return nil, fmt.Errorf("openai: chat stream: %w", err)
		}
		if s != nil {
			return s, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("openai: chat stream: %w", context.Cause(ctx))
		}
		apiErr := &APIError{StatusCode: res.status, Message: res.message, Attempts: attempt, Err: res.err}
		if !res.retryable || attempt > c.cfg.MaxRetries {
			return nil, fmt.Errorf("openai: chat stream: %w", apiErr)
		}
		wait := res.retryAfter
		if wait < 0 {
			wait = c.backoff(attempt)
		}
		c.logger.WarnContext(ctx, "openai: retrying request",
			"path", path, "attempt", attempt, "status", res.status, "error", res.message, "wait", wait)
		if err := sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("openai: chat stream: %w (after %v)", err, apiErr)
		}
	}
}

// openStream makes one attempt: a Stream when the server answered 2xx,
// else the failure to report or retry.
func (c *Client) openStream(ctx context.Context, url string, payload []byte) (*Stream, attemptResult, error) {
	actx, cancel := context.WithCancelCause(ctx)
	req, err := c.newRequest(actx, url, payload, "text/event-stream")
	if err != nil {
		cancel(nil)
		return nil, attemptResult{}, err
	}
	headers := time.AfterFunc(c.cfg.Timeout, func() { cancel(errHeaderTimeout) })
	resp, err := c.http.Do(req)
	if !headers.Stop() && err == nil {
		// The headers came as the timer fired: the request is cancelled.
		resp.Body.Close()
		err = errHeaderTimeout
	}
	if err != nil {
		if cause := context.Cause(actx); errors.Is(cause, errHeaderTimeout) && !errors.Is(err, errHeaderTimeout) {
			err = fmt.Errorf("%w: %w", cause, err)
		}
		cancel(nil)
		return nil, networkFailure(err), nil
	}
	if resp.StatusCode/100 != 2 {
		res := errorResult(resp)
		resp.Body.Close()
		cancel(nil)
		return nil, res, nil
	}
	return newStream(actx, cancel, resp.Body, c.cfg.IdleTimeout, c.cfg.MaxResponseBytes), attemptResult{}, nil
}

// newStream reads body, a response to a request made with ctx, which
// cancel ends.
func newStream(ctx context.Context, cancel context.CancelCauseFunc, body io.ReadCloser, idle time.Duration, limit int64) *Stream {
	s := &Stream{ctx: ctx, cancel: cancel, body: body, r: bufio.NewReaderSize(body, 4096), idle: idle, max: limit}
	s.timer = time.AfterFunc(idle, func() { cancel(ErrStreamIdle) })
	s.timer.Stop() // runs only while Next reads
	return s
}

// Next returns the next piece of the reply, io.EOF after its end
// ("data: [DONE]"), or the error that ended the stream: ctx's cause,
// ErrStreamIdle, a server error sent in the stream, a malformed chunk, a
// limit passed, or io.ErrUnexpectedEOF for a stream cut short. Pieces
// that carry nothing (a role alone, usage) are skipped.
func (s *Stream) Next() (Delta, error) {
	if s.err != nil {
		return Delta{}, s.err
	}
	defer s.timer.Stop()
	for {
		d, ok, err := s.next()
		if err != nil {
			s.fail(err)
			return Delta{}, s.err
		}
		if ok {
			return d, nil
		}
	}
}

// fail records err as the stream's end and releases the connection.
func (s *Stream) fail(err error) {
	if errors.Is(err, io.EOF) {
		s.err = io.EOF
	} else {
		s.err = fmt.Errorf("openai: chat stream: %w", err)
	}
	s.Close()
}

// next reads up to the next event with content; ok is false for one
// without.
func (s *Stream) next() (Delta, bool, error) {
	if s.done {
		return Delta{}, false, io.EOF
	}
	for {
		s.timer.Reset(s.idle)
		line, err := s.readLine()
		if err != nil && !errors.Is(err, io.EOF) {
			return Delta{}, false, s.readError(err)
		}
		eof := errors.Is(err, io.EOF)
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			if len(s.data) > 0 || len(s.event) > 0 {
				d, ok, derr := s.dispatch()
				if derr != nil || ok || s.done {
					return d, ok, derr
				}
			}
			if eof {
				return Delta{}, false, s.endOfBody()
			}
			continue
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(field) {
		case "data":
			if len(s.data) > 0 {
				s.data = append(s.data, '\n')
			}
			if len(s.data)+len(value) > maxLineBytes {
				return Delta{}, false, fmt.Errorf("an event's data exceeds %d bytes", maxLineBytes)
			}
			s.data = append(s.data, value...)
		case "event":
			s.event = append(s.event[:0], value...)
		}
		// Comments (":…"), "id" and "retry" lines carry nothing here.
		if eof {
			// A last event without its blank line still counts.
			if len(s.data) > 0 || len(s.event) > 0 {
				d, ok, derr := s.dispatch()
				if derr != nil || ok || s.done {
					return d, ok, derr
				}
			}
			return Delta{}, false, s.endOfBody()
		}
	}
}

// readError describes a failed read: the idle timeout, the caller's
// context, or the connection's error.
func (s *Stream) readError(err error) error {
	if cause := context.Cause(s.ctx); cause != nil {
		if errors.Is(cause, ErrStreamIdle) {
			return fmt.Errorf("%w (%v)", ErrStreamIdle, s.idle)
		}
		return cause
	}
	return fmt.Errorf("read: %w", err)
}

// endOfBody is the error for a body that ended: none after a finish
// reason (some servers omit [DONE]), io.ErrUnexpectedEOF before one.
func (s *Stream) endOfBody() error {
	if s.comp.FinishReason != "" {
		s.done = true
		return s.finish()
	}
	return fmt.Errorf("the stream ended before the reply did: %w", io.ErrUnexpectedEOF)
}

// readLine returns the next line, its newline included, enforcing the
// line and stream limits. The slice is valid until the next call.
func (s *Stream) readLine() ([]byte, error) {
	s.line = s.line[:0]
	for {
		frag, err := s.r.ReadSlice('\n')
		s.read += int64(len(frag))
		if s.read > s.max {
			return nil, fmt.Errorf("the stream exceeds %d bytes", s.max)
		}
		if len(s.line)+len(frag) > maxLineBytes {
			return nil, fmt.Errorf("a line exceeds %d bytes", maxLineBytes)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			s.line = append(s.line, frag...)
			continue
		}
		if len(s.line) > 0 {
			s.line = append(s.line, frag...)
			frag = s.line
		}
		return frag, err
	}
}

// dispatch handles the pending event and clears it.
func (s *Stream) dispatch() (Delta, bool, error) {
	data, event := s.data, s.event
	s.data, s.event = s.data[:0], s.event[:0]
	if bytes.Equal(data, []byte("[DONE]")) {
		s.done = true
		return Delta{}, false, s.finish()
	}
	if string(event) == "error" {
		return Delta{}, false, fmt.Errorf("server error: %s", errorMessage(data))
	}
	if len(data) == 0 {
		return Delta{}, false, nil
	}
	d, err := decodeChunk(data)
	if err != nil {
		return Delta{}, false, err
	}
	if err := s.add(d); err != nil {
		return Delta{}, false, err
	}
	ok := d.Content != "" || len(d.ToolCalls) > 0 || d.FinishReason != ""
	return d, ok, nil
}

// add folds d into the assembled completion.
func (s *Stream) add(d Delta) error {
	s.comp.Content += d.Content
	if d.FinishReason != "" {
		s.comp.FinishReason = d.FinishReason
	}
	for _, tc := range d.ToolCalls {
		if s.calls == nil {
			s.calls = make(map[int]*ToolCall)
		}
		call := s.calls[tc.Index]
		if call == nil {
			if len(s.calls) >= maxToolCalls {
				return fmt.Errorf("more than %d tool calls", maxToolCalls)
			}
			call = &ToolCall{}
			s.calls[tc.Index] = call
		}
		if call.ID == "" {
			call.ID = tc.ID
		}
		switch {
		case call.Name == "":
			call.Name = tc.Name
		case tc.Name != call.Name:
			call.Name += tc.Name
		}
		call.Arguments += tc.Arguments
	}
	return nil
}

// finish checks the assembled tool calls at the end of the stream.
func (s *Stream) finish() error {
	idx := make([]int, 0, len(s.calls))
	for i := range s.calls {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	s.comp.ToolCalls = s.comp.ToolCalls[:0]
	for _, i := range idx {
		call := *s.calls[i]
		if call.Name == "" {
			return fmt.Errorf("tool call %d has no function name", i)
		}
		if call.ID == "" {
			call.ID = fmt.Sprintf("call_%d", i)
		}
		s.comp.ToolCalls = append(s.comp.ToolCalls, call)
	}
	return io.EOF
}

// Completion returns the reply assembled from the pieces read so far:
// whole once Next has returned io.EOF.
func (s *Stream) Completion() Completion {
	c := s.comp
	c.ToolCalls = append([]ToolCall(nil), c.ToolCalls...)
	return c
}

// Close ends the stream and releases its connection. It may be called
// more than once, and from another goroutine than Next's.
func (s *Stream) Close() error {
	s.once.Do(func() {
		s.timer.Stop()
		s.cancel(context.Canceled)
		s.body.Close()
	})
	return nil
}

// Collect reads the whole stream, calling fn (when not nil) with each
// piece as it arrives, closes it and returns the assembled reply. An
// error from fn stops the read and is returned.
func (s *Stream) Collect(fn func(Delta) error) (Completion, error) {
	defer s.Close()
	for {
		d, err := s.Next()
		if errors.Is(err, io.EOF) {
			return s.Completion(), nil
		}
		if err != nil {
			return Completion{}, err
		}
		if fn != nil {
			if err := fn(d); err != nil {
				return Completion{}, err
			}
		}
	}
}

// chunk is one "chat.completion.chunk" event, or an error sent in the
// stream.
type chunk struct {
	Choices []struct {
		Index int `json:"index"`
		Delta struct {
			Content   *string `json:"content"`
			ToolCalls []struct {
				Index    *int   `json:"index"`
				ID       string `json:"id"`
				Function struct {
					Name      string `json:"name"`
					Arguments string `json:"arguments"`
				} `json:"function"`
			} `json:"tool_calls"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Error json.RawMessage `json:"error"`
}

// decodeChunk decodes one event's data into the delta of its first
// choice; an event carrying {"error":…} is the server's error.
func decodeChunk(data []byte) (Delta, error) {
	var ch chunk
	if err := json.Unmarshal(data, &ch); err != nil {
		return Delta{}, fmt.Errorf("malformed chunk %q: %w", truncate(string(data), 120), err)
	}
	if len(ch.Error) > 0 && !bytes.Equal(ch.Error, []byte("null")) {
		return Delta{}, fmt.Errorf("server error: %s", errorMessage(data))
	}
	var d Delta
	for _, c := range ch.Choices {
		if c.Index != 0 {
			continue // only the first choice is asked for
		}
		if c.Delta.Content != nil {
			d.Content += *c.Delta.Content
		}
		if c.FinishReason != nil {
			d.FinishReason = *c.FinishReason
		}
		for k, tc := range c.Delta.ToolCalls {
			i := k
			if tc.Index != nil {
				i = *tc.Index
			}
			if i < 0 || i >= maxToolCalls {
				return Delta{}, fmt.Errorf("malformed chunk: tool call index %d out of range [0,%d)", i, maxToolCalls)
			}
			d.ToolCalls = append(d.ToolCalls, ToolCallDelta{Index: i, ID: tc.ID, Name: tc.Function.Name, Arguments: tc.Function.Arguments})
		}
	}
	return d, nil
}
