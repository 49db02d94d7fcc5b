// Package serve runs Aisle's HTTP API assembled from its parts: the
// recommendation engine over the store, the photo classifier kept current
// with the file aisle train saves, the search index, the background photo
// reader and the HTTP server, each told of the others' changes. It is the
// setup sequence aisle serve, aisle demo and aisle bench share; the
// binary opens the store, the text encoder and the image model and hands
// them over.
package serve

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/assistant"
	"github.com/aislehq/aisle/copywriter"
	aislehttp "github.com/aislehq/aisle/http"
	"github.com/aislehq/aisle/image/video"
	"github.com/aislehq/aisle/image/visual"
	"github.com/aislehq/aisle/qa"
	"github.com/aislehq/aisle/recommend"
	"github.com/aislehq/aisle/rules"
	"github.com/aislehq/aisle/search"
	"github.com/aislehq/aisle/store/imagestore"
	"github.com/aislehq/aisle/store/sqlite"
	"github.com/aislehq/aisle/text/analyze"
)

// Config configures the parts. Engine.ModelDir must be set: it is where
// the engine loads the trained models and the photo classifier from.
type Config struct {
	HTTP   aislehttp.Config
	Engine recommend.Config
	Search search.LiveConfig
}

// Parts are what the binary opened for the server: the store, the text
// encoder (nil for the built-in one, which the engine takes from the
// trained version) and the photo reader with the image model it runs. Run
// closes none of them.
type Parts struct {
	Store *sqlite.DB
	// Text is the external text encoder and TextName the name its vectors
	// are stored under; nil and "" for the built-in encoder.
	Text     aisle.TextEncoder
	TextName string
	// Photos reads items' photos (required: with no image model it finds
	// colours only); Originals keeps their original bytes.
	Photos    *visual.Opened
	Originals *imagestore.Store
	// Video extracts product videos' keyframes, read by Photos; nil
	// leaves video uploads answering 503.
	Video *video.Extractor
	// LLM, when not nil, writes product copy (checked against the facts,
	// built-in copy when it fails or is slower than LLMTimeout); Vision,
	// when not nil, is asked about product photos, as long.
	LLM        copywriter.Chat
	Vision     qa.Vision
	LLMTimeout time.Duration
	// Chat configures the shopping assistant (POST /v1/chat): the
	// store's policies, session expiry and caps, and the language model
	// that answers turns (Chat.Model; built in when nil, or when it fails
	// or is slower than Chat.ModelTimeout, LLMTimeout when 0); sessions
	// are kept in Store unless Chat.Store names another SessionStore.
	Chat assistant.Options
}

// Run builds the models over p.Store, serves the API until ctx ends, then
// shuts down gracefully and returns once every part it started has
// stopped. started, if not nil, is called with the server's base URL once
// it listens. A nil logger discards logs.
func Run(ctx context.Context, p Parts, cfg Config, logger *slog.Logger, started func(url string)) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	deps := recommend.Deps{Encoder: p.Text, EncoderName: p.TextName, Now: time.Now, Rules: rules.New(time.Now)}
	if err := deps.Rules.Load(ctx, p.Store); err != nil {
		// Rules that cannot be read are left out; the rest apply.
		logger.Error("merchandising rules", "err", err)
	}
	if p.Photos.HasModel() {
		deps.Images, deps.ImagesName = p.Photos.Input(), p.Photos.Name()
		// Photos read from now on get the category of the classifier
		// aisle train saves (the items it knew it classified itself).
		cl := visual.NewClassifierLoader(visual.ClassifierPath(cfg.Engine.ModelDir, p.Photos.Name()), p.Photos.Reader, cfg.Engine.ModelPoll, logger)
		cl.Open(ctx)
		defer cl.Close()
	}
	eng := recommend.NewEngine(p.Store, deps, cfg.Engine, logger)
	if err := eng.Open(ctx); err != nil {
		return err
	}
	defer eng.Close()
	live, err := openSearch(ctx, p.Store, eng, cfg.Search, logger)
	if err != nil {
		return err
	}
	defer live.Close()
	return serveAPI(ctx, p, cfg.HTTP, eng, live, logger, started)
}

// openSearch opens the search index over db, kept current with eng's
// vectors.
func openSearch(ctx context.Context, db *sqlite.DB, eng *recommend.Engine, cfg search.LiveConfig, logger *slog.Logger) (*search.Live, error) {
	an := analyze.New(analyze.Config{})
	if err := an.Load(); err != nil {
		logger.Warn("Chinese search falls back to characters", "err", err)
	}
	live := search.NewLive(db, an, search.LiveDeps{
		Embeddings: func() search.Embeddings {
			if c := eng.Embeddings(); c != nil {
				return c
			}
			return nil
		},
		Images: func() search.ImageEmbeddings {
			if c := eng.Images(); c != nil {
				return c
			}
			return nil
		},
		Personalizer: eng,
		Popularity:   eng,
		Rules:        eng.Rules(),
	}, cfg, logger)
	if err := live.Open(ctx); err != nil {
		return nil, err
	}
	return live, nil
}

// The engine serves the profile routes (GET /v1/users/{id}/profile).
var _ aislehttp.ProfileServer = (*recommend.Observed)(nil)

// serveAPI serves the API over eng, live and p's photo reader until ctx
// ends, then shuts down gracefully.
func serveAPI(ctx context.Context, p Parts, cfg aislehttp.Config, eng *recommend.Engine, live *search.Live, logger *slog.Logger, started func(url string)) error {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	obs := &recommend.Observed{Engine: eng, Index: live}
	srv := aislehttp.NewServer(p.Store, obs, cfg, logger, reg, time.Now)
	worker := photoWorker(ctx, p.Photos.Reader, p.Store, eng, srv, logger)
	obs.Photos = worker
	if err := worker.Open(ctx); err != nil {
		return err
	}
	defer worker.Close()
	if p.Photos.Dual != nil {
		srv.SetSearcher(search.TextToImage{Searcher: live, Encoder: p.Photos.Dual})
	} else {
		srv.SetSearcher(live)
	}
	srv.SetPhotos(p.Photos.Reader, p.Originals)
	if p.Video != nil {
		srv.SetVideos(video.NewUploader(p.Video, p.Photos.Reader))
	}
	srv.SetRules(p.Store, eng.Rules())
	// Product Q&A over the store's questions and the engine's similar
	// items, asking the vision model about photos when one is configured;
	// product copy by the language model when one is configured.
	srv.SetAsker(qa.New(p.Store, obs, qa.Options{Vision: p.Vision, VisionTimeout: p.LLMTimeout}))
	// The shopping assistant over the same search, engine, store and Q&A,
	// quoting the store's policies.
	chat := p.Chat
	if chat.Store == nil {
		chat.Store = p.Store // sessions persist
	}
	if chat.ModelTimeout <= 0 {
		chat.ModelTimeout = p.LLMTimeout
	}
	srv.SetChatOptions(chat)
	if p.LLM != nil {
		srv.SetCopywriter(copywriter.New(copywriter.Options{LLM: p.LLM, Timeout: p.LLMTimeout}))
	}
	if p.Photos.HasModel() {
		srv.SetPhotoEncoder(p.Photos.Reader)
	}
	if err := srv.Open(); err != nil {
		return err
	}
	if started != nil {
		started(srv.URL())
	}
	<-ctx.Done()
	logger.Info("shutting down: draining requests")
	// The caller's context is done; shutdown gets its own deadline.
	if err := srv.Shutdown(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// photoWorker returns the reader's background worker over db: photos
// stored while serving are read in the background; the vectors read go
// straight to the engine's photo vectors, and the items (with their
// colours) to the engine and the search index, through the server, which
// reads them back from the store so that a concurrent write of the same
// item is never undone.
func photoWorker(ctx context.Context, r *visual.Reader, db *sqlite.DB, eng *recommend.Engine, srv *aislehttp.Server, logger *slog.Logger) *visual.Worker {
	return r.Worker(db, func(items []aisle.Item, vecs []aisle.ItemVector) {
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
}
