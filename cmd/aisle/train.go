package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/aislehq/aisle/recommend"
)

// runTrain builds the models from the store and reports them. The models
// that exist so far (decayed popularity, co-occurrence) are cheap and are
// built by the server itself at start and on refresh, so there is no
// artifact to save yet; train checks that they build and says so.
func runTrain(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
	cfg := DefaultConfig()
	bindStore(fs, &cfg)
	bindEngine(fs, &cfg)
	bindLog(fs, &cfg)
	logger, err := parseFlags(e, fs, &cfg, "aisle train [-data-dir DIR]", args)
	if err != nil {
		return err
	}
	db, err := cfg.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	eng := recommend.NewEngine(db, cfg.Engine, logger)
	if err := eng.Build(ctx); err != nil {
		return err
	}
	st := eng.Stats()
	fmt.Fprintf(e.stdout, "Built from %d events in %s: popularity over %d items, co-occurrence neighbours for %d items.\n",
		st.Events, st.Took.Round(1e6), st.PopularItems, st.ItemsWithNeighbors)
	fmt.Fprintln(e.stdout, "No trained model artifacts exist yet: 'aisle serve' builds these models itself at start and refreshes them, so nothing was saved.")
	return nil
}
