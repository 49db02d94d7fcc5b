package ggufgen

import (
	"bytes"
	"encoding/binary"
	"testing"
)

func TestWrite(t *testing.T) {
	var a, b bytes.Buffer
	if err := Write(&a, DefaultConfig()); err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, DefaultConfig()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the same Config wrote different bytes")
	}
	data := a.Bytes()
	if string(data[:4]) != "GGUF" || binary.LittleEndian.Uint32(data[4:]) != 3 {
		t.Fatalf("header % x", data[:8])
	}
	// 3 tensors, 9 per layer; the tensor data ends the file, aligned.
	if n := binary.LittleEndian.Uint64(data[8:]); n != 3+9*2 {
		t.Errorf("%d tensors, want 21", n)
	}
	if len(data)%alignment != 0 {
		t.Errorf("length %d not a multiple of %d", len(data), alignment)
	}
	cfg := DefaultConfig()
	cfg.Seed = 2
	var c bytes.Buffer
	if err := Write(&c, cfg); err != nil {
		t.Fatal(err)
	}
	if c.Len() != a.Len() || bytes.Equal(c.Bytes(), a.Bytes()) {
		t.Error("another seed should change the weights, not the size")
	}
	if err := Write(&c, Config{Embd: 30, Heads: 4}); err == nil {
		t.Error("width 30 with 4 heads: no error")
	}
}
