package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/apikey"
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
	db, err := cfg.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "create":
		token, k, _, err := apikey.Create(ctx, db, aisle.Role(role), name, user, aisle.ActorCLI, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "Created key %s (role %s). Keep it secret: it is shown only now.\n", k.ID, k.Role)
		fmt.Fprintln(e.stdout, token)
	case "list":
		keys, err := db.Keys(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tROLE\tNAME\tSHOPPER\tCREATED\tREVOKED")
		for _, k := range keys {
			revoked := "-"
			if k.Revoked() {
				revoked = k.RevokedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Role, dash(k.Name), dash(k.User), k.CreatedAt.Format(time.RFC3339), revoked)
		}
		return tw.Flush()
	case "revoke":
		id := fs.Arg(0)
		if _, err := apikey.Revoke(ctx, db, id, aisle.ActorCLI, time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Revoked key %s; a running server stops accepting it within a second.\n", id)
	}
	return nil
}

// dash is s, or "-" when it is empty.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
