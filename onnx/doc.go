// Package onnx runs BERT-family sentence encoders (all-MiniLM-L6-v2,
// bge-small-en, gte-small, e5-small and the like) in process with ONNX
// Runtime, as an aisle.TextEncoder, and image CNNs (MobileNet v1) as an
// ImageEncoder of feature vectors and class labels.
//
// # Model layouts
//
// OpenTextEncoder takes a directory in the layout sentence-transformers and
// Hugging Face export:
//
//   - model.onnx, or onnx/model.onnx as Hugging Face repositories ship it,
//     with int64 [batch, seq] inputs input_ids and attention_mask and,
//     optionally, token_type_ids (no other inputs), and a float32 output,
//     either per token ([batch, seq, hidden], e.g. last_hidden_state: pooled
//     here) or per sentence ([batch, hidden], e.g. sentence_embedding: used
//     as it is). TextConfig.Output picks the output; the first is the
//     default.
//   - tokenizer.json or vocab.txt, read by package tokenizer (BERT WordPiece).
//   - 1_Pooling/config.json (optional): mean or CLS pooling
//     (pooling_mode_mean_tokens, pooling_mode_cls_token). Without it,
//     TextConfig.Pooling decides, mean by default.
//   - sentence_bert_config.json (optional): max_seq_length, the token limit
//     (default 256, never above tokenizer_config.json's model_max_length or
//     config.json's max_position_embeddings).
//
// Texts are tokenized, batched (TextConfig.BatchSize, 32 by default),
// padded to the longest text of each batch, run, pooled over the attention
// mask and scaled to unit length. A pool of sessions (TextConfig.Sessions)
// lets concurrent Encode calls run in parallel.
//
// # Image models
//
// OpenImageEncoder takes a directory holding model.onnx, with one float32
// [batch, 3, size, size] input (RGB, NCHW, x/127.5 − 1) and float32
// [batch, dim] and [batch, classes] outputs, embedding and probs by
// default (ImageConfig names others), and optionally labels.txt, one class
// name a line. Images are centre-cropped to their largest square, resized
// bilinearly to size×size, run in batches (ImageConfig.BatchSize, 16 by
// default), and returned as unit-length embeddings with the top classes.
// ../shared/models/mobilenet-v1-0.75-224 is such a directory.
//
// # ONNX Runtime
//
// The package loads libonnxruntime.so.1 (1.30.0, the CPU build) at run
// time through github.com/yalue/onnxruntime_go. `make deps` fetches it from
// the npm package onnxruntime-node into lib/onnxruntime/ of the repository.
// FindLibrary looks for it there (beside or above the binary, or above the
// working directory); $AISLE_ONNXRUNTIME_LIB or TextConfig.Library point
// elsewhere. ONNX Runtime's environment is one per process, so Runtime
// counts its users: see OpenRuntime.
//
// # Pointing Aisle at a model
//
// Download or export a sentence-transformer as ONNX (for example
// sentence-transformers/all-MiniLM-L6-v2 with its onnx/model.onnx and
// tokenizer files, or `optimum-cli export onnx --model <name> <dir>`) and
// pass the directory to OpenTextEncoder. Each session holds its own copy of
// the weights.
package onnx
