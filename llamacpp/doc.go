// Package llamacpp runs a GGUF language model in the Aisle process through
// llama.cpp's C API, loaded from its shared libraries at run time by
// github.com/hybridgroup/yzma (purego and libffi: no cgo, no server).
//
// A Model is the one language model Aisle's copywriter and shopping
// assistant talk to: it has Complete (openai.Client's method: messages in,
// text or tool calls out) and Chat (copywriter.Chat). New does no I/O;
// Open loads the libraries and the model; Close frees them.
//
// # Libraries and versions
//
// make deps installs llama.cpp's CPU libraries into lib/llamacpp/ (see
// DefaultLibDir, EnvLibDir) from the npm package @node-llama-cpp/linux-x64
// 3.22.1, which bundles llama.cpp release v0.5.0 (its
// _nlcBuildMetadata.json, and node-llama-cpp 3.22.1's
// llama/binariesGithubRelease.json, say "release": "v0.5.0"). yzma's
// README pairs llama.cpp v0.5.0 with yzma v1.28.0, the version go.mod
// pins. Newer yzma releases (v1.29.0 to v1.33.0) expect newer llama.cpp
// (v0.6.0 to v1.0.0) and fail to load these libraries: they bind
// llama_batch_ext_init, which v0.5.0 lacks. No npm release bundles a newer
// llama.cpp than v0.5.0 (3.22.0 and 3.22.1 both do), so v1.28.0 is the
// newest yzma that matches. The package ships libllama.v0.5.0.so and
// libggml.v0.5.0.so; make deps links libllama.so and libggml.so, the names
// yzma opens, to them. llama.cpp picks the best of the CPU backends
// (libggml-cpu-*.so: x64, haswell, skylakex, zen4, …) for the machine.
//
// yzma keeps the loaded functions in package variables, so the libraries
// are loaded once per process, from one directory: opening a second Model
// from another directory is an error. Models themselves are independent.
//
// # Prompts
//
// Complete renders the messages with the model's chat template
// (tokenizer.chat_template in the GGUF file) through
// llama_chat_apply_template, which knows llama.cpp's built-in templates
// (ChatML, Llama 2 and 3, Mistral, Gemma, Phi, …) and recognises them from
// the Jinja text. A model without a template, or with one llama.cpp does
// not recognise, gets ChatML, written here. Tool results (role "tool") are
// given to the model as user messages, "Result of tool call ID: …", since
// few built-in templates have a tool role.
//
// # Tool calls
//
// When ChatOptions.Tools is set (and ToolChoice is not "none"), the system
// prompt lists the tools as JSON and asks the model to call one by
// answering with
//
//	<tool_call>{"name": "search", "arguments": {"query": "red shoes"}}</tool_call>
//
// the Hermes format Qwen, Hermes and many other open models are trained
// on. Complete reads such blocks (and, from models that leave the tags
// out, a reply that is nothing but such a JSON object, fenced or not)
// into Completion.ToolCalls, IDs "call_0" on, with FinishReason
// "tool_calls"; the text around them stays in Content. A call naming a
// function that is not among the tools, or whose JSON does not parse, is
// left in the text. Assistant messages sent back with ToolCalls are
// written in the same format, so the model sees its own calls.
// "required" and a named ToolChoice are asked for in the prompt, not
// enforced.
//
// # Generation
//
// Sampling is greedy at temperature 0, so the same prompt gives the same
// reply; above it, top-k 40, top-p 0.95, min-p 0.05 and the temperature,
// seeded by Options.Seed. Generation stops at the model's end-of-generation
// token ("stop"), at MaxTokens or the end of the context window ("length"),
// or when ctx is done (its error is returned): ctx is checked before each
// token and, through llama.cpp's abort callback, during the prompt's
// evaluation.
//
// # Concurrency
//
// A Model is safe for concurrent use. It has one llama.cpp context (one KV
// cache), so completions run one at a time, in turn; a caller waiting for
// its turn gives up when its ctx is done. Several Models on one file run
// completions in parallel: each has its own KV cache and compute buffers,
// while the weights, memory-mapped, are shared through the page cache.
package llamacpp
