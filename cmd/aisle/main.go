// Command aisle is Aisle's single binary: it imports a store's catalog and
// events, trains models, serves the HTTP API, and runs the demo and
// benchmarks. main only wires packages together; see docs/ARCHITECTURE.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
)

// command is one subcommand: its flags and what it does.
type command struct {
	name    string
	summary string
	// run parses args with fs (whose flags it defines) and does the work.
	run func(ctx context.Context, env *env, fs *flag.FlagSet, args []string) error
}

// env is what every command gets from the process.
type env struct {
	stdout, stderr io.Writer
	// ready, if set, receives the URL once a server is listening (tests).
	ready func(url string)
}

// commands is the table of subcommands, in the order help lists them.
var commands = []command{
	{"serve", "run the HTTP API over a data directory", runServe},
	{"import", "import catalog, users, events or Q&A from files", runImport},
	{"train", "build the recommendation models from the store", runTrain},
	{"eval", "measure every model offline on a dataset (leave-one-out)", runEval},
	{"demo", "import the sample data, build models and serve them", runDemo},
	{"bench", "measure import, ingestion and serving speed on real data", runBench},
	{"keys", "create, list and revoke API keys", runKeys},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], &env{stdout: os.Stdout, stderr: os.Stderr}))
}

// run executes one command line and returns the process exit status:
// 0 success, 1 failure, 2 usage error.
func run(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		if len(args) > 1 {
			if c := lookup(args[1]); c != nil {
				return run(ctx, []string{c.name, "-h"}, e)
			}
		}
		usage(e.stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c := lookup(args[0])
	if c == nil {
		fmt.Fprintf(e.stderr, "aisle: unknown command %q\n\n", args[0])
		usage(e.stderr)
		return 2
	}
	fs := flag.NewFlagSet("aisle "+c.name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	err := c.run(ctx, e, fs, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(flagError)):
		return 2 // the flag package has printed the error and the usage
	case errors.As(err, new(usageError)):
		fmt.Fprintf(e.stderr, "aisle %s: %v\n", c.name, err)
		fs.Usage()
		return 2
	default:
		fmt.Fprintf(e.stderr, "aisle %s: %v\n", c.name, err)
		return 1
	}
}

func lookup(name string) *command {
	i := slices.IndexFunc(commands, func(c command) bool { return c.name == name })
	if i < 0 {
		return nil
	}
	return &commands[i]
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "Aisle: recommendations, search and a shopping assistant for an online store.\n\nUsage:\n  aisle <command> [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'aisle <command> -h' (or 'aisle help <command>') for a command's flags.\n")
}

// usageError is a bad command line (exit status 2, usage printed).
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

// flagError is a command line the flag package rejected and reported.
type flagError struct{ err error }

func (f flagError) Error() string { return f.err.Error() }

// parse parses args, setting a usage text that starts with synopsis.
func parse(fs *flag.FlagSet, synopsis string, args []string) error {
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

// parseFlags parses a command that takes flags only and returns the logger
// its configuration asks for.
func parseFlags(e *env, fs *flag.FlagSet, cfg *Config, synopsis string, args []string) (*slog.Logger, error) {
	if err := parse(fs, synopsis, args); err != nil {
		return nil, err
	}
	if err := noArgs(fs); err != nil {
		return nil, err
	}
	return cfg.logger(e.stderr)
}

// noArgs rejects positional arguments for commands that take none.
func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected arguments: %s", strings.Join(fs.Args(), " "))}
	}
	return nil
}
