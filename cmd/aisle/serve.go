package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	aislehttp "github.com/aislehq/aisle/http"
	"github.com/aislehq/aisle/image/video"
	"github.com/aislehq/aisle/internal/collector"
	aisleserve "github.com/aislehq/aisle/internal/serve"
	"github.com/aislehq/aisle/store/sqlite"
)

func runServe(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
	cfg := DefaultConfig()
	bindStore(fs, &cfg)
	bindHTTP(fs, &cfg)
	bindEngine(fs, &cfg)
	bindText(fs, &cfg)
	bindPhotos(fs, &cfg)
	bindVideo(fs, &cfg)
	bindSearch(fs, &cfg)
	bindLLM(fs, &cfg)
	bindChat(fs, &cfg)
	bindGC(fs, &cfg)
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

// serve builds the models over db, serves the API until ctx ends, then
// shuts down gracefully. started, if not nil, runs once the server listens.
func serve(ctx context.Context, e *env, cfg Config, db *sqlite.DB, logger *slog.Logger, started func(url string)) error {
	gc, restore := collector.Apply(cfg.GC, os.Getenv)
	defer restore()
	if logger != nil {
		gc.Log(logger)
	}
	cfg.HTTP.AllowImageFiles = cfg.Photos.Files
	// Refuse a bad or exposed configuration before the slow start.
	if err := cfg.HTTP.Validate(); err != nil {
		return usageError{err.Error()}
	}
	llm, vlm, err := cfg.openLLM(os.Getenv)
	if err != nil {
		return err
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
	ph, err := cfg.openPhotos(ctx, db, logger)
	if err != nil {
		return err
	}
	defer ph.Close()
	parts := aisleserve.Parts{Store: db, Text: enc, TextName: encName, Photos: ph.Opened, Originals: ph.originals, LLMTimeout: cfg.LLM.Timeout, Video: video.New(cfg.Video)}
	if llm != nil {
		parts.LLM = llm
	}
	if vlm != nil {
		parts.Vision = vlm
	}
	if parts.Chat, err = cfg.Chat.options(); err != nil {
		return err
	}
	if llm != nil {
		// The chat model runs the shopping assistant too, each turn
		// within -llm-timeout.
		parts.Chat.Model, parts.Chat.ModelTimeout = llm.Streamer(), cfg.LLM.Timeout
	}
	gguf, err := cfg.openGGUF(ctx)
	if err != nil {
		return err
	}
	if gguf != nil {
		defer gguf.Close()
		// The in-process model writes copy and runs the assistant.
		parts.LLM, parts.Chat.Model, parts.Chat.ModelTimeout = gguf, gguf, cfg.LLM.Timeout
	}
	return aisleserve.Run(ctx, parts, aisleserve.Config{HTTP: cfg.HTTP, Engine: cfg.Engine, Search: cfg.Search}, logger, func(url string) {
		fmt.Fprintf(e.stdout, "aisle: serving %s (data in %s)\n", url, cfg.DataDir)
		if started != nil {
			started(url)
		}
		if e.ready != nil {
			e.ready(url)
		}
	})
}
