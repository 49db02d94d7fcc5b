package onnx

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/aislehq/aisle/internal/libpath"
	ort "github.com/yalue/onnxruntime_go"
)

// EnvLibrary is the environment variable that, when set, names the ONNX
// Runtime shared library to load in place of the default search (an ops
// switch for machines where the library lives elsewhere). An explicit path
// given to FindLibrary or OpenRuntime takes precedence over it.
const EnvLibrary = "AISLE_ONNXRUNTIME_LIB"

// DefaultLibrary is where `make deps` installs libonnxruntime.so.1 (1.30.0),
// relative to the repository root.
const DefaultLibrary = "lib/onnxruntime/libonnxruntime.so.1"

// ErrNoLibrary is returned (wrapped) when no ONNX Runtime library is found.
var ErrNoLibrary = errors.New("onnx: ONNX Runtime library not found (run make deps, or set " + EnvLibrary + ")")

// FindLibrary returns the ONNX Runtime library to load: path when it is not
// empty; else $AISLE_ONNXRUNTIME_LIB when set; else DefaultLibrary under the
// directory above the running binary (bin/aisle → lib/onnxruntime/), under
// the binary's own directory, or under the working directory or one of its
// parents (the repository root, for tests). The path returned exists. It
// returns an error wrapping ErrNoLibrary, listing the places tried, when
// none does.
func FindLibrary(path string) (string, error) {
	candidates := libpath.Candidates(path, EnvLibrary, DefaultLibrary)
	for _, c := range candidates {
		if st, err := os.Stat(c); err == nil && st.Mode().IsRegular() {
			return c, nil
		}
	}
	return "", fmt.Errorf("%w; tried %s", ErrNoLibrary, strings.Join(candidates, ", "))
}

// env is the process's one ONNX Runtime environment. onnxruntime_go keeps
// the loaded library and its OrtEnv in package globals, initialised once
// per process (InitializeEnvironment fails when called twice, and
// DestroyEnvironment unloads the library under every session), so this
// package counts the Runtimes that use it, under one mutex: the first
// OpenRuntime initialises it and the last Close destroys it. It is the one
// piece of global state in the package, forced by the library's own.
var env struct {
	// mu guards the fields below.
	mu   sync.Mutex
	refs int
	lib  string
}

// Runtime is a reference to the process's ONNX Runtime environment, which
// sessions and tensors need. Any number may be open at once, all on the same
// library. It is safe for concurrent use.
type Runtime struct {
	lib  string
	once sync.Once
}

// OpenRuntime loads the ONNX Runtime library found by FindLibrary(path) and
// initialises the environment, or, when another Runtime holds it, takes a
// reference to it. It returns an error when the library cannot be found or
// loaded, or when the environment is open on a different library.
func OpenRuntime(path string) (*Runtime, error) {
	lib, err := FindLibrary(path)
	if err != nil {
		return nil, err
	}
	if abs, err := filepath.Abs(lib); err == nil {
		lib = abs
	}
	env.mu.Lock()
	defer env.mu.Unlock()
	if env.refs > 0 {
		if env.lib != lib {
			return nil, fmt.Errorf("onnx: runtime already open on %s, not %s", env.lib, lib)
		}
		env.refs++
		return &Runtime{lib: lib}, nil
	}
	ort.SetSharedLibraryPath(lib)
	if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
		return nil, fmt.Errorf("onnx: load %s: %w", lib, err)
	}
	env.refs, env.lib = 1, lib
	return &Runtime{lib: lib}, nil
}

// Library returns the absolute path of the loaded library.
func (r *Runtime) Library() string { return r.lib }

// Version returns the loaded ONNX Runtime's version, e.g. "1.30.0".
func (r *Runtime) Version() string { return ort.GetVersion() }

// Close releases the reference; the last one destroys the environment. Every
// session made under it must be destroyed first. Calling Close again does
// nothing.
func (r *Runtime) Close() error {
	var err error
	r.once.Do(func() {
		env.mu.Lock()
		defer env.mu.Unlock()
		env.refs--
		if env.refs == 0 {
			env.lib = ""
			if e := ort.DestroyEnvironment(); e != nil {
				err = fmt.Errorf("onnx: destroy environment: %w", e)
			}
		}
	})
	return err
}
