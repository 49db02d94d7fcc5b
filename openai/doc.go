// Package openai is a client for OpenAI-compatible HTTP APIs: OpenAI itself,
// Ollama, vLLM, the llama.cpp server and text-embeddings-inference. It
// covers the embeddings endpoint, which the text encoders use (Embed,
// Encoder), and chat completions with images inline (Chat, Describe), for
// vision models that caption products and answer questions about photos.
//
// A Client is built with NewClient, which validates its Config and does no
// I/O. Calls batch their inputs, retry transient failures (network errors,
// 429 and 5xx) with capped exponential backoff and Retry-After, and report
// the final failure as an *APIError.
package openai
