// Package openai is a client for OpenAI-compatible HTTP APIs: OpenAI itself,
// Ollama, vLLM, the llama.cpp server and text-embeddings-inference. It
// covers the embeddings endpoint, which the text encoders use (Embed,
// Encoder), and chat completions: whole (Chat, Complete) or streamed
// (ChatStream, Server-Sent Events), with tool calling (Tool, ToolCall and
// the "tool" role) and images inline (Describe), for vision models that
// caption products and answer questions about photos. Prompter adapts a
// Client to the plain-text model interfaces of the language layer.
//
// Every server is untrusted: a streamed reply's lines, the whole stream
// and its tool calls are bounded, a stream that stalls longer than
// Config.IdleTimeout fails with ErrStreamIdle, and ending the context (or
// Stream.Close) closes the connection at once.
//
// A Client is built with NewClient, which validates its Config and does no
// I/O. Calls batch their inputs, retry transient failures (network errors,
// 429 and 5xx) with capped exponential backoff and Retry-After, and report
// the final failure as an *APIError.
package openai
