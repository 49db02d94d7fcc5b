// Package clip holds what a CLIP-style image and text encoder needs besides
// the networks: CLIP's byte-level BPE tokenizer (Tokenizer, loaded from
// Hugging Face's tokenizer.json or vocab.json and merges.txt, or from
// OpenAI's bpe_simple_vocab_16e6.txt), CLIP's image preprocessing
// (ImageConfig: shortest side resized as PIL resizes it, centre crop, the
// CLIP mean and standard deviation, NCHW; read from Hugging Face's
// preprocessor_config.json), and zero-shot tagging (Classifier: label sets
// turned into prompt embeddings, scored against an image embedding with a
// softmax over the scaled similarities). Package onnx runs the networks.
//
// `make clipvocab` installs OpenAI's vocabulary file under lib/clip/ of the
// repository; the tests check the tokenizer against its known ids.
package clip
