package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	aislehttp "github.com/aislehq/aisle/http"
	"github.com/aislehq/aisle/photo"
	"github.com/aislehq/aisle/recommend"
	"github.com/aislehq/aisle/search"
	"github.com/aislehq/aisle/sqlite"
)

// Config is the whole configuration of the binary, with one source of
// defaults (DefaultConfig). Commands bind the parts they use to flags and
// copy them into components.
type Config struct {
	// DataDir holds the store (aisle.db) and, later, model artifacts.
	DataDir   string
	Store     sqlite.Options
	HTTP      aislehttp.Config
	Engine    recommend.Config
	Text      TextConfig
	Photos    PhotoConfig
	Search    search.LiveConfig
	LogLevel  string // debug, info, warn, error
	LogFormat string // text or json
}

// DefaultConfig returns the defaults of every setting.
func DefaultConfig() Config {
	return Config{
		DataDir:   "./aisle-data",
		Store:     sqlite.DefaultOptions(),
		HTTP:      aislehttp.DefaultConfig(),
		Engine:    recommend.DefaultConfig(),
		Text:      TextConfig{Encoder: encoderBuiltin, OpenAIKeyEnv: "OPENAI_API_KEY"},
		Photos:    PhotoConfig{Model: defaultImageModel, Timeout: photo.DefaultFetchTimeout},
		Search:    search.LiveConfig{Refresh: 5 * time.Minute},
		LogLevel:  "info",
		LogFormat: "text",
	}
}

func bindStore(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "data `directory` holding the store (created if missing)")
	fs.StringVar(&c.Store.Synchronous, "sync", c.Store.Synchronous, "SQLite durability: FULL (fsync every commit; survives power loss) or NORMAL (survives a process crash)")
}

func bindHTTP(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.HTTP.Addr, "addr", c.HTTP.Addr, "`host:port` to listen on")
	fs.Int64Var(&c.HTTP.MaxBodyBytes, "max-body", c.HTTP.MaxBodyBytes, "largest request body in `bytes`")
	fs.IntVar(&c.HTTP.MaxBatch, "max-batch", c.HTTP.MaxBatch, "most items or events in one batch request")
	fs.DurationVar(&c.HTTP.RequestTimeout, "request-timeout", c.HTTP.RequestTimeout, "time limit for one request")
}

func bindEngine(fs *flag.FlagSet, c *Config) {
	fs.DurationVar(&c.Engine.HalfLife, "half-life", c.Engine.HalfLife, "popularity half-life: an event's weight halves every `duration`")
	fs.DurationVar(&c.Engine.Refresh, "refresh", c.Engine.Refresh, "how often models are rebuilt when new events arrived")
}

func bindSearch(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.Search.Query.SynonymFile, "synonyms", c.Search.Query.SynonymFile, "synonym `file` for search (Solr format: \"a, b, c\" and \"a => b\" lines)")
	fs.StringVar(&c.Search.Query.CEDICT, "cedict", c.Search.Query.CEDICT, "CC-CEDICT `file` that translates Chinese queries (default: the one make deps installs)")
	fs.DurationVar(&c.Search.Refresh, "search-refresh", c.Search.Refresh, "how often the search index is rebuilt when the catalog or the item vectors changed")
}

func bindLog(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "log level: debug, info, warn or error")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log format: text or json")
}

// logger builds the process logger writing to w.
func (c *Config) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, usageError{fmt.Sprintf("-log-level %q: want debug, info, warn or error", c.LogLevel)}
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(c.LogFormat) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usageError{fmt.Sprintf("-log-format %q: want text or json", c.LogFormat)}
}

// openStore opens the SQLite store in the data directory.
func (c *Config) openStore(ctx context.Context) (*sqlite.DB, error) {
	db, _, err := c.openStoreVocabulary(ctx)
	return db, err
}

// openStoreVocabulary opens the SQLite store in the data directory, its
// attribute extraction using the directory's vocabulary, which it also
// returns.
func (c *Config) openStoreVocabulary(ctx context.Context) (*sqlite.DB, *vocabulary, error) {
	voc, err := loadVocabulary(c.DataDir)
	if err != nil {
		return nil, nil, err
	}
	opts := c.Store
	opts.Extract = voc.Extract
	db := sqlite.NewDB(filepath.Join(c.DataDir, "aisle.db"), opts)
	if err := db.Open(ctx); err != nil {
		return nil, nil, fmt.Errorf("open store in %s: %w", c.DataDir, err)
	}
	return db, voc, nil
}
