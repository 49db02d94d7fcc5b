package onnx

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// ModelName names the vectors of the ONNX model directory dir (a text or
// image encoder): the folder's name and a hash of its absolute path and
// its model.onnx's size and modification time, so replacing the model
// re-encodes the catalog. It returns an error when model.onnx is missing.
func ModelName(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(filepath.Join(abs, "model.onnx"))
	if err != nil {
		return "", fmt.Errorf("onnx model: %w", err)
	}
	h := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d\x00%d", abs, st.Size(), st.ModTime().UnixNano()))
	return filepath.Base(abs) + "-" + hex.EncodeToString(h[:6]), nil
}

// CLIPName names the vectors of the CLIP-style model directory dir: the
// folder's name and a hash of its absolute path and the names, sizes and
// modification times of its files, so replacing the model re-encodes the
// photos. It returns an error when dir cannot be read.
func CLIPName(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	ents, err := os.ReadDir(abs)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprint(h, abs)
	for _, e := range ents {
		if info, err := e.Info(); err == nil {
			fmt.Fprintf(h, "\x00%s\x00%d\x00%d", e.Name(), info.Size(), info.ModTime().UnixNano())
		}
	}
	return filepath.Base(abs) + "-" + hex.EncodeToString(h.Sum(nil)[:6]), nil
}
