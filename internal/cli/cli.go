// Package cli runs a command-line program made of subcommands ("aisle
// serve", "aisle keys create"): a table of commands, each parsing its own
// flags, help for the program and for each command, and one exit status
// per outcome: 0 for success (or help asked for), 1 for a failure, 2 for a
// bad command line.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
)

// Command is one subcommand of a program; E is what every command gets
// from the process (its output streams, say).
type Command[E any] struct {
	Name    string
	Summary string
	// Run parses args with fs (whose flags it defines, and whose output is
	// the program's stderr) and does the work. Its error decides the exit
	// status; see Program.Run.
	Run func(ctx context.Context, env E, fs *flag.FlagSet, args []string) error
}

// Program is a command-line program: its name, the line that describes
// it in help, and its commands in the order help lists them.
type Program[E any] struct {
	Name     string
	Title    string
	Commands []Command[E]
}

// Run executes one command line (the arguments after the program's name),
// writing errors and help to stderr, and returns the exit status: 0 for
// success or help ("help", "-h", "help COMMAND", "COMMAND -h"), 1 when
// the command fails, 2 for a bad command line: none or an unknown
// command, flags the flag package rejects, or a UsageError, which is
// printed with the command's usage.
func (p Program[E]) Run(ctx context.Context, args []string, env E, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		if len(args) > 1 {
			if c := p.lookup(args[1]); c != nil {
				return p.Run(ctx, []string{c.Name, "-h"}, env, stderr)
			}
		}
		p.usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c := p.lookup(args[0])
	if c == nil {
		fmt.Fprintf(stderr, "%s: unknown command %q\n\n", p.Name, args[0])
		p.usage(stderr)
		return 2
	}
	fs := flag.NewFlagSet(p.Name+" "+c.Name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	err := c.Run(ctx, env, fs, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(flagError)):
		return 2 // the flag package has printed the error and the usage
	case errors.As(err, new(UsageError)):
		fmt.Fprintf(stderr, "%s %s: %v\n", p.Name, c.Name, err)
		fs.Usage()
		return 2
	default:
		fmt.Fprintf(stderr, "%s %s: %v\n", p.Name, c.Name, err)
		return 1
	}
}

// lookup returns the command called name, nil for none.
func (p Program[E]) lookup(name string) *Command[E] {
	i := slices.IndexFunc(p.Commands, func(c Command[E]) bool { return c.Name == name })
	if i < 0 {
		return nil
	}
	return &p.Commands[i]
}

// usage prints the program's help: its title and its commands.
func (p Program[E]) usage(w io.Writer) {
	fmt.Fprintf(w, "%s\n\nUsage:\n  %s <command> [flags]\n\nCommands:\n", p.Title, p.Name)
	for _, c := range p.Commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.Name, c.Summary)
	}
	fmt.Fprintf(w, "\nRun '%s <command> -h' (or '%s help <command>') for a command's flags.\n", p.Name, p.Name)
}

// UsageError is a bad command line: Program.Run prints it, then the
// command's usage, and returns 2. An error that wraps one counts too.
type UsageError struct{ Msg string }

// Error returns the message.
func (u UsageError) Error() string { return u.Msg }

// flagError is a command line the flag package rejected and reported.
type flagError struct{ err error }

// Error returns the flag package's error.
func (f flagError) Error() string { return f.err.Error() }

// Parse parses args with fs, setting a usage text that starts with
// synopsis. It returns flag.ErrHelp when help was asked for, and an error
// Program.Run takes for a bad command line when the flag package rejected
// args (having printed why, and the usage).
func Parse(fs *flag.FlagSet, synopsis string, args []string) error {
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	err := fs.Parse(args)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		return flagError{err}
	}
	return err
}

// NoArgs returns a UsageError when fs got positional arguments, for the
// commands that take none.
func NoArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return UsageError{fmt.Sprintf("unexpected arguments: %s", strings.Join(fs.Args(), " "))}
	}
	return nil
}

// Logger returns the logger the -log-level and -log-format flags ask for,
// writing to w: level debug, info, warn or error; format text or json. A
// bad value is a UsageError naming the flag.
func Logger(w io.Writer, level, format string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, UsageError{fmt.Sprintf("-log-level %q: want debug, info, warn or error", level)}
	}
	opts := &slog.HandlerOptions{Level: l}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, UsageError{fmt.Sprintf("-log-format %q: want text or json", format)}
}
