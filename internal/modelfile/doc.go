// Package modelfile is the one binary codec behind every model file Aisle
// writes: a header (magic and format version), a CRC-32 (Castagnoli)
// checksum over the payload, an Encoder with typed helpers for the values
// the formats need (integers, float32 and uint32 slices, strings), a
// bounded Decoder that checks every length it reads against what remains
// (so a corrupt or hostile file gives an error, never a panic or a huge
// allocation). Package durable writes the files.
package modelfile
