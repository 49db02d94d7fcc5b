package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/analyze"
	aislehttp "github.com/aislehq/aisle/http"
	"github.com/aislehq/aisle/recommend"
	"github.com/aislehq/aisle/search"
	"github.com/aislehq/aisle/sqlite"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

func runServe(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
	cfg := DefaultConfig()
	bindStore(fs, &cfg)
	bindHTTP(fs, &cfg)
	bindEngine(fs, &cfg)
	bindText(fs, &cfg)
	bindSearch(fs, &cfg)
	bindLog(fs, &cfg)
	logger, err := parseFlags(e, fs, &cfg, "aisle serve [-data-dir DIR] [-addr HOST:PORT] [flags]", args)
	if err != nil {
		return err
	}
	db, err := cfg.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	return serve(ctx, e, cfg, db, logger, nil)
}

// observed is the engine with the search index told of catalog changes
// too.
type observed struct {
	*recommend.Engine
	live *search.Live
}

// ObserveItems tells the engine and the search index.
func (o observed) ObserveItems(items []aisle.Item) {
	o.Engine.ObserveItems(items)
	o.live.ObserveItems(items)
}

// ForgetItem tells the engine and the search index.
func (o observed) ForgetItem(id string) {
	o.Engine.ForgetItem(id)
	o.live.ForgetItem(id)
}

// serve builds the models over db, serves the API until ctx ends, then
// shuts down gracefully. started, if not nil, runs once the server listens.
func serve(ctx context.Context, e *env, cfg Config, db *sqlite.DB, logger *slog.Logger, started func(url string)) error {
	if cfg.Engine.ModelDir == "" {
		cfg.Engine.ModelDir = filepath.Join(cfg.DataDir, "models")
	}
	enc, encName, closeEnc, err := cfg.openTextEncoder(ctx, logger)
	if err != nil {
		return err
	}
	defer closeEnc()
	cfg.Engine.Encoder, cfg.Engine.EncoderName = enc, encName
	eng := recommend.NewEngine(db, cfg.Engine, logger)
	if err := eng.Open(ctx); err != nil {
		return err
	}
	defer eng.Close()

	an := analyze.New(analyze.Config{})
	if err := an.Load(); err != nil {
		logger.Warn("Chinese search falls back to characters", "err", err)
	}
	sc := cfg.Search
	sc.Index.Personalizer, sc.Index.Popularity = eng, eng
	live := search.NewLive(db, func() search.Embeddings {
		if c := eng.Embeddings(); c != nil {
			return c
		}
		return nil
	}, an, sc, logger)
	if err := live.Open(ctx); err != nil {
		return err
	}
	defer live.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	srv := aislehttp.NewServer(db, observed{eng, live}, cfg.HTTP, logger, reg)
	srv.SetSearcher(live)
	if err := srv.Open(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "aisle: serving %s (data in %s)\n", srv.URL(), cfg.DataDir)
	if started != nil {
		started(srv.URL())
	}
	if e.ready != nil {
		e.ready(srv.URL())
	}
	<-ctx.Done()
	logger.Info("shutting down: draining requests")
	// The signal context is done; shutdown gets its own deadline.
	if err := srv.Shutdown(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
