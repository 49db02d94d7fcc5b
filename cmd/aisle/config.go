package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/aislehq/aisle/embedding"
	aislehttp "github.com/aislehq/aisle/http"
	"github.com/aislehq/aisle/image/photo"
	"github.com/aislehq/aisle/image/video"
	"github.com/aislehq/aisle/internal/cli"
	"github.com/aislehq/aisle/internal/collector"
	"github.com/aislehq/aisle/internal/flagvalue"
	"github.com/aislehq/aisle/openai"
	"github.com/aislehq/aisle/recommend"
	"github.com/aislehq/aisle/search"
	"github.com/aislehq/aisle/store/sqlite"
	"github.com/aislehq/aisle/text/extract"
)

// Config is the whole configuration of the binary, with one source of
// defaults (DefaultConfig). Commands bind the parts they use to flags and
// copy them into components.
type Config struct {
	// DataDir holds the store (aisle.db) and, later, model artifacts.
	DataDir string
	Store   sqlite.Options
	HTTP    aislehttp.Config
	Engine  recommend.Config
	Text    embedding.TextConfig
	Photos  PhotoConfig
	Search  search.LiveConfig
	// Video bounds the product videos uploaded and names ffmpeg.
	Video video.Config
	// LLM is the language model, when one is configured.
	LLM LLMConfig
	// Chat configures the shopping assistant (POST /v1/chat).
	Chat ChatConfig
	// GC tunes the collector of a serving process (serve, demo, bench).
	GC        collector.Config
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
		Text:      embedding.TextConfig{Encoder: embedding.TextBuiltin, OpenAIKeyEnv: "OPENAI_API_KEY"},
		Photos:    PhotoConfig{Model: defaultImageModel, Timeout: photo.DefaultFetchTimeout, Memory: photo.DefaultBudget, MaxPixels: photo.DefaultMaxPixels},
		Search:    search.LiveConfig{Refresh: 5 * time.Minute},
		Video:     video.Config{FFmpeg: "ffmpeg", MaxBytes: video.DefaultMaxBytes, MaxDuration: video.DefaultMaxDuration, MaxFrames: video.DefaultMaxFrames},
		LLM:       LLMConfig{KeyEnv: "OPENAI_API_KEY", Timeout: 10 * time.Second},
		Chat:      ChatConfig{Idle: 30 * time.Minute, MaxSessions: 10000},
		GC:        collector.Config{Percent: collector.DefaultPercent},
		LogLevel:  "info",
		LogFormat: "text",
	}
}

func bindGC(fs *flag.FlagSet, c *Config) {
	fs.IntVar(&c.GC.Percent, "gc-percent", c.GC.Percent, "heap growth in `percent` over the live heap that starts a garbage collection, as GOGC (which wins when set); fewer collections keep a steady load's slowest requests fast")
	fs.Int64Var(&c.GC.MemoryLimit, "memory-limit", c.GC.MemoryLimit, "soft limit of the heap in `bytes`, as GOMEMLIMIT (which wins when set): near it the collector runs as often as it must (default: half the machine's or the cgroup's memory)")
}

func bindStore(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "data `directory` holding the store (created if missing)")
	fs.StringVar(&c.Store.Synchronous, "sync", c.Store.Synchronous, "SQLite durability: FULL (fsync every commit; survives power loss) or NORMAL (survives a process crash)")
}

func bindHTTP(fs *flag.FlagSet, c *Config) {
	h := &c.HTTP
	fs.StringVar(&h.Addr, "addr", h.Addr, "`host:port` to listen on; an address other than loopback needs an API key (aisle keys create) or -insecure")
	fs.Int64Var(&h.MaxBodyBytes, "max-body", h.MaxBodyBytes, "largest request body in `bytes`")
	fs.IntVar(&h.MaxBatch, "max-batch", h.MaxBatch, "most items or events in one batch request")
	fs.DurationVar(&h.RequestTimeout, "request-timeout", h.RequestTimeout, "time limit for one request")
	fs.BoolVar(&h.Insecure, "insecure", h.Insecure, "serve an address other than loopback while no API key exists (anyone who reaches it may do anything)")
	fs.Var(flagvalue.List(&h.AllowedHosts, nil), "allowed-hosts", "comma-separated `hosts` requests may name in Host (\".example.com\" for a domain and its subdomains, \"*\" for any); default: localhost, 127.0.0.1 and ::1 on a loopback address, any otherwise")
	fs.Var(flagvalue.List(&h.CORSOrigins, nil), "cors-origins", "comma-separated `origins` (https://shop.example) whose pages may call the API from a browser; none by default")
	fs.Float64Var(&h.KeyRate, "key-rate", h.KeyRate, "requests a `second` one API key may make on average (bursts of twice that); negative: no limit")
	fs.Float64Var(&h.AddressRate, "address-rate", h.AddressRate, "requests a `second` one client address may make without a valid key (loopback excepted); negative: no limit")
	fs.IntVar(&h.MaxPhotoRequests, "photo-requests", h.MaxPhotoRequests, "photo uploads and searches by photo served at once; more wait up to 2s, then get 429")
	fs.BoolVar(&h.LogSearches, "log-searches", h.LogSearches, "log GET /v1/search?user= queries as search events of known shoppers (off: GET requests change nothing; log searches with POST /v1/events)")
	fs.StringVar(&h.ShopperIDs, "log-shopper-ids", h.ShopperIDs, "shopper ids in the access log: keep, hash (a keyed hash, stable while the process runs) or drop")
	fs.StringVar(&h.MetricsAddr, "metrics-addr", h.MetricsAddr, "also serve GET /metrics, without a key, on this `host:port` (on Addr it needs an admin key once keys exist)")
}

func bindEngine(fs *flag.FlagSet, c *Config) {
	fs.DurationVar(&c.Engine.HalfLife, "half-life", c.Engine.HalfLife, "popularity half-life: an event's weight halves every `duration` of store activity (see -popular-max-gap)")
	fs.DurationVar(&c.Engine.MaxGap, "popular-max-gap", c.Engine.MaxGap, "the most a silence between two events counts for in popularity's decay, so years between an imported history and live events count as this `duration`; negative: wall time")
	fs.IntVar(&c.Engine.MinShoppers, "popular-min-shoppers", c.Engine.MinShoppers, "distinct shoppers an item needs to rank among the popular items by score; items with fewer follow, by shopper count")
	fs.DurationVar(&c.Engine.Refresh, "refresh", c.Engine.Refresh, "how often models are rebuilt when new events arrived")
	fs.DurationVar(&c.Engine.Profile.HalfLife, "profile-half-life", c.Engine.Profile.HalfLife, "shopper profiles' recency decay: an event's weight in a profile halves every `duration` of event time (0: 14 days)")
}

func bindVideo(fs *flag.FlagSet, c *Config) {
	v := &c.Video
	fs.StringVar(&v.FFmpeg, "ffmpeg", v.FFmpeg, "ffmpeg `program` that extracts product videos' keyframes (ffprobe is looked up beside it; Debian package ffmpeg, make deps); when missing, video uploads answer 503")
	fs.Var((*flagvalue.ByteSize)(&v.MaxBytes), "video-max-bytes", "largest product video in `bytes` (KiB, MiB, GiB suffixes allowed; PUT /v1/items/{id}/video; larger: 413)")
	fs.DurationVar(&v.MaxDuration, "video-max-duration", v.MaxDuration, "longest product video (longer: 422); -request-timeout bounds the upload and extraction too")
	fs.IntVar(&v.MaxFrames, "video-frames", v.MaxFrames, "evenly spaced keyframes read from a product video (at most 32)")
}

func bindSearch(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.Search.Query.SynonymFile, "synonyms", c.Search.Query.SynonymFile, "synonym `file` for search (Solr format: \"a, b, c\" and \"a => b\" lines)")
	fs.StringVar(&c.Search.Query.CEDICT, "cedict", c.Search.Query.CEDICT, "CC-CEDICT `file` that translates Chinese queries (default: the one make deps installs)")
	fs.DurationVar(&c.Search.Refresh, "search-refresh", c.Search.Refresh, "how often the search index is rebuilt when the catalog or the item vectors changed")
}

// LLMConfig names an OpenAI-compatible chat server and its models.
type LLMConfig struct {
	// URL is the API root ("http://localhost:11434/v1"); "" for none,
	// which leaves every language feature built in.
	URL string
	// Model writes copy; VisionModel, when set, reads product photos.
	Model, VisionModel string
	// KeyEnv names the environment variable holding the API key.
	KeyEnv string
	// Timeout bounds one model call; past it the built-in answer is used.
	Timeout time.Duration
	// GGUF, when set, is a GGUF model file run in process by llama.cpp
	// (package llamacpp) in place of a server at URL. GGUFLib is the
	// directory of llama.cpp's libraries ("": lib/llamacpp/, where make
	// deps puts them); GGUFThreads its CPU threads (0: half of
	// GOMAXPROCS, 1 to 8).
	GGUF, GGUFLib string
	GGUFThreads   int
}

func bindLLM(fs *flag.FlagSet, c *Config) {
	l := &c.LLM
	fs.StringVar(&l.URL, "llm-url", l.URL, "OpenAI-compatible chat API root `URL` (Ollama, vLLM, llama.cpp server, OpenAI), e.g. http://localhost:11434/v1; unset: built-in copy and answers only")
	fs.StringVar(&l.Model, "llm-model", l.Model, "chat model `name` on -llm-url that writes product copy and answers the shopping assistant's turns (POST /v1/chat)")
	fs.StringVar(&l.VisionModel, "vlm-model", l.VisionModel, "vision model `name` on -llm-url asked about product photos (optional)")
	fs.StringVar(&l.KeyEnv, "llm-key-env", l.KeyEnv, "environment `variable` holding the API key for -llm-url (unset or empty: no key)")
	fs.StringVar(&l.GGUF, "llm-gguf", l.GGUF, "GGUF model `file` run in process by llama.cpp, in place of -llm-url: it writes product copy and answers the shopping assistant's turns")
	fs.StringVar(&l.GGUFLib, "llm-gguf-lib", l.GGUFLib, "`directory` of llama.cpp's shared libraries for -llm-gguf (default: $AISLE_LLAMACPP_LIB, else lib/llamacpp, where make deps installs them)")
	fs.IntVar(&l.GGUFThreads, "llm-gguf-threads", l.GGUFThreads, "CPU `threads` that run -llm-gguf (0: half of GOMAXPROCS, 1 to 8; fewer are faster on a machine busy with other work)")
	fs.DurationVar(&l.Timeout, "llm-timeout", l.Timeout, "time limit for one model call, for each chunk of a streamed reply, and for a whole shopping assistant turn; past it the built-in answer is served")
}

// openLLM returns prompters for the configured chat and vision models;
// nil ones when none is configured. It does no I/O.
func (c *Config) openLLM(getenv func(string) string) (chat, vision *openai.Prompter, err error) {
	l := c.LLM
	switch {
	case l.GGUF != "" && l.URL != "":
		return nil, nil, usageError{"-llm-gguf and -llm-url: give one model, not both"}
	case l.URL == "" && (l.Model != "" || l.VisionModel != ""):
		return nil, nil, usageError{"-llm-model and -vlm-model need -llm-url"}
	case l.URL == "":
		return nil, nil, nil
	case l.Model == "":
		return nil, nil, usageError{"-llm-url needs -llm-model"}
	case l.Timeout <= 0:
		return nil, nil, usageError{fmt.Sprintf("-llm-timeout %v: must be positive", l.Timeout)}
	}
	key := ""
	if l.KeyEnv != "" {
		key = getenv(l.KeyEnv)
	}
	client := func(model string) (*openai.Prompter, error) {
		// No retries: a shopper waits, and the built-in answer is there
		// at once when the model fails.
		cl, err := openai.NewClient(openai.Config{BaseURL: l.URL, APIKey: key, Model: model, Timeout: l.Timeout, IdleTimeout: l.Timeout, MaxRetries: -1}, nil, nil)
		if err != nil {
			return nil, usageError{fmt.Sprintf("-llm-url: %v", err)}
		}
		return &openai.Prompter{Client: cl}, nil
	}
	if chat, err = client(l.Model); err != nil {
		return nil, nil, err
	}
	if l.VisionModel != "" {
		if vision, err = client(l.VisionModel); err != nil {
			return nil, nil, err
		}
	}
	return chat, vision, nil
}

func bindLog(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "log level: debug, info, warn or error")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log format: text or json")
}

// logger builds the process logger writing to w.
func (c *Config) logger(w io.Writer) (*slog.Logger, error) {
	return cli.Logger(w, c.LogLevel, c.LogFormat)
}

// openStore opens the SQLite store in the data directory.
func (c *Config) openStore(ctx context.Context) (*sqlite.DB, error) {
	db, _, err := c.openStoreVocabulary(ctx)
	return db, err
}

// openStoreVocabulary opens the SQLite store in the data directory, its
// attribute extraction using the directory's vocabulary, which it also
// returns.
func (c *Config) openStoreVocabulary(ctx context.Context) (*sqlite.DB, *extract.VocabularyFile, error) {
	voc := extract.NewVocabularyFile(filepath.Join(c.DataDir, extract.VocabularyFileName))
	if err := voc.Load(); err != nil {
		return nil, nil, err
	}
	db := sqlite.NewDB(filepath.Join(c.DataDir, "aisle.db"), voc.Extract, c.Store)
	if err := db.Open(ctx); err != nil {
		return nil, nil, fmt.Errorf("open store in %s: %w", c.DataDir, err)
	}
	return db, voc, nil
}
