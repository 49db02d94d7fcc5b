package main

import (
	"context"
	"fmt"

	"github.com/aislehq/aisle/llamacpp"
)

// openGGUF loads the GGUF model -llm-gguf names, run in process by
// llama.cpp; nil when none is named. The caller closes it.
func (c *Config) openGGUF(ctx context.Context) (*llamacpp.Model, error) {
	l := c.LLM
	switch {
	case l.GGUF == "" && (l.GGUFLib != "" || l.GGUFThreads != 0):
		return nil, usageError{"-llm-gguf-lib and -llm-gguf-threads need -llm-gguf"}
	case l.GGUF == "":
		return nil, nil
	case l.GGUFThreads < 0:
		return nil, usageError{fmt.Sprintf("-llm-gguf-threads %d: must be 0 or more", l.GGUFThreads)}
	case l.Timeout <= 0:
		return nil, usageError{fmt.Sprintf("-llm-timeout %v: must be positive", l.Timeout)}
	}
	m := llamacpp.New(l.GGUF, llamacpp.Options{LibDir: l.GGUFLib, Threads: l.GGUFThreads})
	if err := m.Open(ctx); err != nil {
		return nil, fmt.Errorf("-llm-gguf: %w", err)
	}
	return m, nil
}
