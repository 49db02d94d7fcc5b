package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/aislehq/aisle"
	aislehttp "github.com/aislehq/aisle/http"
	"github.com/aislehq/aisle/image/visual"
	"github.com/aislehq/aisle/recommend"
	"github.com/aislehq/aisle/search"
	"github.com/aislehq/aisle/store/sqlite"
	"github.com/aislehq/aisle/text/analyze"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

func runServe(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
	cfg := DefaultConfig()
	bindStore(fs, &cfg)
	bindHTTP(fs, &cfg)
	bindEngine(fs, &cfg)
	bindText(fs, &cfg)
	bindPhotos(fs, &cfg)
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

// observed is the engine with the search index and the photo reader told
// of catalog changes too.
type observed struct {
	*recommend.Engine
	live   *search.Live
	photos *visual.Worker
}

// ObserveItems tells the engine, the search index and the photo reader.
func (o observed) ObserveItems(items []aisle.Item) {
	o.Engine.ObserveItems(items)
	o.live.ObserveItems(items)
	o.photos.Observe(items)
}

// ForgetItem tells the engine and the search index.
func (o observed) ForgetItem(id string) {
	o.Engine.ForgetItem(id)
	o.live.ForgetItem(id)
}

// ForgetUser tells the search index (which rebuilds what it learned from
// searches) and the engine, whose erasure it waits for.
func (o observed) ForgetUser(ctx context.Context, id string) error {
	o.live.ForgetUser(id)
	return o.Engine.ForgetUser(ctx, id)
}

// serve builds the models over db, serves the API until ctx ends, then
// shuts down gracefully. started, if not nil, runs once the server listens.
func serve(ctx context.Context, e *env, cfg Config, db *sqlite.DB, logger *slog.Logger, started func(url string)) error {
	cfg.HTTP.AllowImageFiles = cfg.Photos.Files
	// Refuse a bad or exposed configuration before the slow start.
	if err := cfg.HTTP.Validate(); err != nil {
		return usageError{err.Error()}
	}
	if err := aislehttp.CheckExposure(ctx, db, cfg.HTTP); err != nil {
		return err
	}
	if cfg.Engine.ModelDir == "" {
		cfg.Engine.ModelDir = filepath.Join(cfg.DataDir, "models")
	}
	enc, encName, closeEnc, err := cfg.openTextEncoder(ctx, logger)
	if err != nil {
		return err
	}
	defer closeEnc()
	cfg.Engine.Encoder, cfg.Engine.EncoderName = enc, encName
	ph, err := cfg.openPhotos(ctx, db, logger)
	if err != nil {
		return err
	}
	defer ph.close()
	if ph.reader.HasModel() {
		cfg.Engine.Images, cfg.Engine.ImagesName = ph.reader.Input(), ph.reader.Name()
		// Photos read from now on get the category of the classifier
		// aisle train saves (the items it knew it classified itself).
		cl := &classifierLoader{path: classifierPath(cfg.Engine.ModelDir, ph.reader.Name()), r: ph.reader, logger: logger}
		if _, err := cl.load(); err != nil {
			logger.Error("load photo classifier", "err", err)
		}
		pollCtx, stopPoll := context.WithCancel(ctx)
		defer stopPoll()
		go cl.poll(pollCtx, cfg.Engine.ModelPoll)
	}
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
	sc.Images = func() search.ImageEmbeddings {
		if c := eng.Images(); c != nil {
			return c
		}
		return nil
	}
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
	obs := &observed{Engine: eng, live: live}
	srv := aislehttp.NewServer(db, obs, cfg.HTTP, logger, reg)

	// Photos stored while serving are read in the background; the
	// vectors read go straight to the engine's photo vectors, and the
	// items (with their colours) to the engine and the search index,
	// through the server, which reads them back from the store so that a
	// concurrent write of the same item is never undone.
	obs.photos = ph.reader.Worker(db, func(items []aisle.Item, vecs []aisle.ItemVector) {
		if c := eng.Images(); c != nil {
			c.Put(vecs)
		}
		ids := make([]string, len(items))
		for i := range items {
			ids[i] = items[i].ID
		}
		if err := srv.SyncItems(ctx, ids); err != nil {
			logger.Error("photos: tell the engine and the search index", "err", err)
		}
	}, 0)
	if err := obs.photos.Open(ctx); err != nil {
		return err
	}
	defer obs.photos.Close()

	if ph.dual != nil {
		srv.SetSearcher(textToImage{live, ph.dual})
	} else {
		srv.SetSearcher(live)
	}
	srv.SetPhotos(ph.reader, ph.originals)
	if ph.reader.HasModel() {
		srv.SetPhotoEncoder(ph.reader)
	}
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
