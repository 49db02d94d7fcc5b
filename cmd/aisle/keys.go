package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/apikey"
	"github.com/aislehq/aisle/store/sqlite"
)

// runKeys manages API keys: aisle keys create|list|revoke.
func runKeys(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
	const synopsis = "aisle keys create -role admin|write|read [-name NAME] [-user SHOPPER] [-data-dir DIR]\n" +
		"       aisle keys list [-data-dir DIR]\n" +
		"       aisle keys revoke [-data-dir DIR] ID\n\n" +
		"create prints the new key alone on its last line; it is shown only then (the store keeps its hash).\n" +
		"Once a key exists, every /v1 request to aisle serve needs one (Authorization: Bearer KEY)."
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		fs.Usage = func() { fmt.Fprintf(fs.Output(), "Usage: %s\n", synopsis) }
		if len(args) == 0 {
			fs.Usage()
			return usageError{"want a subcommand: create, list or revoke"}
		}
		fs.Usage()
		return flag.ErrHelp
	}
	sub, args := args[0], args[1:]
	cfg := DefaultConfig()
	bindStore(fs, &cfg)
	var (
		role       string
		name, user string
	)
	switch sub {
	case "create":
		fs.StringVar(&role, "role", "", "what the key may do: read, write or admin (required)")
		fs.StringVar(&name, "name", "", "what the key is for (shown in listings)")
		fs.StringVar(&user, "user", "", "bind the key to this one shopper (their own recommendations, events and data)")
	case "list", "revoke":
	default:
		return usageError{fmt.Sprintf("unknown subcommand %q: want create, list or revoke", sub)}
	}
	if err := parse(fs, synopsis, args); err != nil {
		return err
	}
	if err := checkKeyArgs(fs, sub, role); err != nil {
		return err
	}
	db, err := cfg.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "create":
		return createKey(ctx, e, db, aisle.Role(role), name, user)
	case "list":
		return listKeys(ctx, e, db)
	}
	return revokeKey(ctx, e, db, fs.Arg(0))
}

// checkKeyArgs checks the positional arguments of aisle keys sub and the
// role of a key to create.
func checkKeyArgs(fs *flag.FlagSet, sub, role string) error {
	if sub != "revoke" {
		if err := noArgs(fs); err != nil {
			return err
		}
	} else if fs.NArg() != 1 {
		return usageError{"revoke wants exactly one key ID (see aisle keys list)"}
	}
	if sub == "create" && !aisle.Role(role).Valid() {
		return usageError{fmt.Sprintf("-role %q: want read, write or admin", role)}
	}
	return nil
}

// createKey creates a key and prints it alone on stdout.
func createKey(ctx context.Context, e *env, db *sqlite.DB, role aisle.Role, name, user string) error {
	token, k, _, err := apikey.Create(ctx, db, role, name, user, aisle.ActorCLI, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "Created key %s (role %s). Keep it secret: it is shown only now.\n", k.ID, k.Role)
	fmt.Fprintln(e.stdout, token)
	return nil
}

// listKeys prints a table of the keys.
func listKeys(ctx context.Context, e *env, db *sqlite.DB) error {
	keys, err := db.Keys(ctx)
	if err != nil {
		return err
	}
	return apikey.WriteTable(e.stdout, keys)
}

// revokeKey revokes the key id.
func revokeKey(ctx context.Context, e *env, db *sqlite.DB, id string) error {
	if _, err := apikey.Revoke(ctx, db, id, aisle.ActorCLI, time.Now()); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Revoked key %s; a running server stops accepting it within a second.\n", id)
	return nil
}
