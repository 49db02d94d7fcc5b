package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
)

// testProgram has a command that takes a -n flag and no arguments, and
// fails or complains as told.
func testProgram() Program[string] {
	run := func(ctx context.Context, env string, fs *flag.FlagSet, args []string) error {
		n := fs.Int("n", 1, "how many")
		if err := Parse(fs, "prog greet [-n N]", args); err != nil {
			return err
		}
		if err := NoArgs(fs); err != nil {
			return err
		}
		switch *n {
		case 0:
			return UsageError{"-n 0: want at least one"}
		case 13:
			return errors.New("unlucky")
		case 14:
			return wrapped{UsageError{"-n 14: wrapped"}}
		}
		return nil
	}
	return Program[string]{Name: "prog", Title: "Prog: greets.", Commands: []Command[string]{
		{"greet", "say hello", run},
		{"wave", "wave a hand", func(context.Context, string, *flag.FlagSet, []string) error { return nil }},
	}}
}

type wrapped struct{ err error }

func (w wrapped) Error() string { return "wrapped: " + w.err.Error() }
func (w wrapped) Unwrap() error { return w.err }

func TestRun(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		inStderr []string
	}{
		{nil, 2, []string{"Prog: greets.\n\nUsage:\n  prog <command> [flags]\n\nCommands:\n  greet    say hello\n  wave     wave a hand\n\nRun 'prog <command> -h' (or 'prog help <command>') for a command's flags.\n"}},
		{[]string{"help"}, 0, []string{"Commands:"}},
		{[]string{"-h"}, 0, []string{"Commands:"}},
		{[]string{"help", "greet"}, 0, []string{"Usage: prog greet [-n N]\n\nFlags:\n", "how many"}},
		{[]string{"help", "bogus"}, 0, []string{"Commands:"}},
		{[]string{"greet"}, 0, nil},
		{[]string{"greet", "-h"}, 0, []string{"Usage: prog greet"}},
		{[]string{"bogus"}, 2, []string{`prog: unknown command "bogus"`, "Commands:"}},
		{[]string{"greet", "-x"}, 2, []string{"flag provided but not defined: -x", "Usage: prog greet"}},
		{[]string{"greet", "extra"}, 2, []string{"prog greet: unexpected arguments: extra\nUsage: prog greet"}},
		{[]string{"greet", "-n", "0"}, 2, []string{"prog greet: -n 0: want at least one\nUsage: prog greet"}},
		{[]string{"greet", "-n", "14"}, 2, []string{"prog greet: wrapped: -n 14: wrapped\nUsage: prog greet"}},
		{[]string{"greet", "-n", "13"}, 1, []string{"prog greet: unlucky\n"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stderr bytes.Buffer
			code := testProgram().Run(context.Background(), tt.args, "env", &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			for _, want := range tt.inStderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
			if tt.inStderr == nil && stderr.Len() > 0 {
				t.Errorf("stderr:\n%s", stderr.String())
			}
		})
	}
}

func TestRunPassesTheEnv(t *testing.T) {
	var got string
	p := Program[string]{Name: "p", Commands: []Command[string]{{"c", "", func(ctx context.Context, env string, fs *flag.FlagSet, args []string) error {
		got = env + " " + fs.Name()
		return nil
	}}}}
	if code := p.Run(context.Background(), []string{"c"}, "the env", &bytes.Buffer{}); code != 0 || got != "the env p c" {
		t.Errorf("exit %d, command saw %q", code, got)
	}
}

func TestLogger(t *testing.T) {
	tests := []struct {
		level, format string
		usage         string // "" for a logger
	}{
		{"info", "text", ""},
		{"debug", "JSON", ""},
		{"warn", "json", ""},
		{"loud", "text", `-log-level "loud"`},
		{"info", "xml", `-log-format "xml"`},
	}
	for _, tt := range tests {
		var b strings.Builder
		l, err := Logger(&b, tt.level, tt.format)
		if tt.usage != "" {
			var u UsageError
			if !errors.As(err, &u) || !strings.Contains(u.Msg, tt.usage) {
				t.Errorf("Logger(%q, %q) = %v, want a usage error naming %s", tt.level, tt.format, err, tt.usage)
			}
			continue
		}
		if err != nil {
			t.Fatalf("Logger(%q, %q): %v", tt.level, tt.format, err)
		}
		l.Warn("hello")
		if !strings.Contains(b.String(), "hello") {
			t.Errorf("Logger(%q, %q) wrote %q", tt.level, tt.format, b.String())
		}
	}
}
