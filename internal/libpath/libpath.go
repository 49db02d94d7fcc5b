// Package libpath lists where a native library Aisle loads at run time
// (ONNX Runtime, llama.cpp) may be, in the order to try them.
package libpath

import (
	"os"
	"path/filepath"
)

// Candidates returns the places to look for rel (a path under the
// repository root, such as "lib/onnxruntime/libonnxruntime.so.1"):
// explicit alone when it is not empty; else the value of the environment
// variable envVar alone when set; else rel under the directory above the
// running binary (bin/aisle → lib/…), under the binary's own directory,
// and under the working directory and each of its parents (the
// repository root, for tests).
func Candidates(explicit, envVar, rel string) []string {
	if explicit != "" {
		return []string{explicit}
	}
	if env := os.Getenv(envVar); env != "" {
		return []string{env}
	}
	var out []string
	if exe, err := os.Executable(); err == nil {
		d := filepath.Dir(exe)
		out = append(out, filepath.Join(d, "..", rel), filepath.Join(d, rel))
	}
	if d, err := os.Getwd(); err == nil {
		for {
			out = append(out, filepath.Join(d, rel))
			parent := filepath.Dir(d)
			if parent == d {
				break
			}
			d = parent
		}
	}
	return out
}
