// Command aisle is Aisle's single binary: it imports a store's catalog and
// events, trains models, serves the HTTP API, and runs the demo and
// benchmarks. main only wires packages together; see docs/ARCHITECTURE.md.
package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/aislehq/aisle/internal/cli"
)

// env is what every command gets from the process.
type env struct {
	stdout, stderr io.Writer
	// ready, if set, receives the URL once a server is listening (tests).
	ready func(url string)
}

// program is aisle: the table of subcommands, in the order help
// lists them.
var program = cli.Program[*env]{
	Name:  "aisle",
	Title: "Aisle: recommendations, search and a shopping assistant for an online store.",
	Commands: []cli.Command[*env]{
		{Name: "serve", Summary: "run the HTTP API over a data directory", Run: runServe},
		{Name: "import", Summary: "import catalog, users, events or Q&A from files", Run: runImport},
		{Name: "train", Summary: "build the recommendation models from the store", Run: runTrain},
		{Name: "eval", Summary: "measure every model offline on a dataset (leave-one-out)", Run: runEval},
		{Name: "demo", Summary: "import the sample data, build models and serve them", Run: runDemo},
		{Name: "bench", Summary: "measure import, ingestion and serving speed on real data", Run: runBench},
		{Name: "keys", Summary: "create, list and revoke API keys", Run: runKeys},
	},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], &env{stdout: os.Stdout, stderr: os.Stderr}))
}

// run executes one command line and returns the process exit status:
// 0 success, 1 failure, 2 usage error.
func run(ctx context.Context, args []string, e *env) int {
	return program.Run(ctx, args, e, e.stderr)
}

// usageError is a bad command line (exit status 2, usage printed).
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

// Unwrap makes u a cli.UsageError.
func (u usageError) Unwrap() error { return cli.UsageError{Msg: u.msg} }

// parse parses args, setting a usage text that starts with synopsis
// (cli.Parse).
func parse(fs *flag.FlagSet, synopsis string, args []string) error {
	return cli.Parse(fs, synopsis, args)
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
func noArgs(fs *flag.FlagSet) error { return cli.NoArgs(fs) }
