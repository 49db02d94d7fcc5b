package llamacpp

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/aislehq/aisle/internal/libpath"
	"github.com/hybridgroup/yzma/pkg/llama"
)

// EnvLibDir is the environment variable that, when set, names the
// directory of llama.cpp's shared libraries in place of the default
// search (an ops switch). An explicit Options.LibDir takes precedence.
const EnvLibDir = "AISLE_LLAMACPP_LIB"

// DefaultLibDir is where `make deps` installs llama.cpp's CPU libraries
// (release v0.5.0), relative to the repository root.
const DefaultLibDir = "lib/llamacpp"

// ErrNoLibrary is returned (wrapped) when llama.cpp's libraries are not
// found.
var ErrNoLibrary = errors.New("llamacpp: llama.cpp libraries not found (run make deps, or set " + EnvLibDir + ")")

// libFiles are the libraries yzma opens by name, under the directory.
var libFiles = []string{"libllama.so", "libggml.so", "libggml-base.so"}

// FindLibDir returns the directory of llama.cpp's libraries: dir when it
// is not empty; else $AISLE_LLAMACPP_LIB when set; else DefaultLibDir
// under the directory above the running binary (bin/aisle →
// lib/llamacpp/), under the binary's own directory, or under the working
// directory or one of its parents (the repository root, for tests). The
// directory returned holds libllama.so, libggml.so and libggml-base.so. It
// returns an error wrapping ErrNoLibrary, naming the places tried, when
// none does.
func FindLibDir(dir string) (string, error) {
	candidates := libpath.Candidates(dir, EnvLibDir, DefaultLibDir)
	var missing []string
	for _, c := range candidates {
		m := missingLibs(c)
		if m == "" {
			return c, nil
		}
		missing = append(missing, m)
	}
	return "", fmt.Errorf("%w; tried %s", ErrNoLibrary, strings.Join(missing, ", "))
}

// missingLibs returns "" when dir holds every library yzma opens, else
// dir and what it lacks.
func missingLibs(dir string) string {
	var lack []string
	for _, f := range libFiles {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || !st.Mode().IsRegular() {
			lack = append(lack, f)
		}
	}
	if len(lack) == 0 {
		return ""
	}
	return fmt.Sprintf("%s (no %s)", dir, strings.Join(lack, ", "))
}

// lib is the process's llama.cpp. yzma binds the libraries' functions to
// package variables, so they are loaded once, from one directory, and
// never unloaded (llama_backend_free would pull the backend from under
// other Models). It is the one piece of global state in the package,
// forced by yzma's own.
var lib struct {
	// mu guards the fields below.
	mu  sync.Mutex
	dir string // absolute; "" until loaded
	err error  // the first load's error, returned to every later try
}

// loadLibs loads llama.cpp from dir (found by FindLibDir) unless it is
// already loaded from there.
func loadLibs(dir string) error {
	dir, err := FindLibDir(dir)
	if err != nil {
		return err
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	lib.mu.Lock()
	defer lib.mu.Unlock()
	switch {
	case lib.dir == dir:
		return lib.err
	case lib.err != nil:
		return lib.err
	case lib.dir != "":
		return fmt.Errorf("llamacpp: llama.cpp already loaded from %s, not %s", lib.dir, dir)
	}
	lib.dir = dir
	if err := llama.Load(dir); err != nil {
		lib.err = fmt.Errorf("llamacpp: load llama.cpp from %s (make deps installs release v0.5.0, the one yzma v1.28.0 binds): %w", dir, err)
		return lib.err
	}
	// llama.cpp logs every model load at length on stderr; Aisle keeps
	// its own log.
	llama.LogSet(llama.LogSilent())
	llama.BackendInit()
	if err := llama.GGMLBackendLoadAllFromPath(dir); err != nil {
		lib.err = fmt.Errorf("llamacpp: load llama.cpp's CPU backend from %s: %w", dir, err)
		return lib.err
	}
	if llama.GGMLBackendDeviceCount() == 0 {
		lib.err = fmt.Errorf("llamacpp: no llama.cpp backend in %s runs on this machine (no usable libggml-cpu-*.so)", dir)
		return lib.err
	}
	return nil
}
