package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"path/filepath"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/eval"
	"github.com/aislehq/aisle/importer"
	"github.com/aislehq/aisle/internal/loadgen"
	"github.com/aislehq/aisle/model/train"
	"github.com/aislehq/aisle/store/sqlite"
)

// benchSearch imports Amazon Office (catalog and purchases) from data,
// trains the model set (so dense retrieval uses the trained built-in
// encoder), serves it and measures GET /v1/search with the search
// benchmark's queries (category leaves, brand + leaf) beside GET /healthz
// as a baseline, runs times.
func benchSearch(ctx context.Context, e *env, cfg Config, db *sqlite.DB, logger *slog.Logger, data string, read loadgen.Options, runs int, add func(name, unit string, vals ...float64)) error {
	src := filepath.Join(data, "amazon-office")
	fmt.Fprintf(e.stderr, "bench: importing %s\n", src)
	if _, err := importer.Run(ctx, db, src, importer.Options{Format: "lcrec", Logger: logger}); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "bench: training the model set\n")
	if err := trainAndSave(ctx, &env{stdout: io.Discard, stderr: e.stderr}, db, nil, filepath.Join(cfg.DataDir, "models"), train.Config{Seed: 1, Progress: trainProgress(e.stderr)}, logger); err != nil {
		return err
	}
	items, err := aisle.AllItems(ctx, db)
	if err != nil {
		return err
	}
	var queries []string
	for _, c := range eval.SearchCases(items) {
		queries = append(queries, "/v1/search?n=10&q="+url.QueryEscape(c.Query))
	}
	if len(queries) == 0 {
		return fmt.Errorf("bench: no search queries from %s", src)
	}
	base, stop, err := startServer(ctx, e, cfg, db, logger)
	if err != nil {
		return err
	}
	defer stop()
	client := newBenchClient(base)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	var hzP50, hzP99, p50, p99, qps []float64
	for r := range runs {
		fmt.Fprintf(e.stderr, "bench: run %d of %d\n", r+1, runs)
		hz := loadgen.Run(ctx, read, func(ctx context.Context, w, i int) error { return client.get(ctx, "/healthz") })
		if err := phaseErr("healthz", hz); err != nil {
			return err
		}
		hzP50, hzP99 = append(hzP50, ms(hz.P50)), append(hzP99, ms(hz.P99))
		res := loadgen.Run(ctx, read, func(ctx context.Context, w, i int) error {
			return client.get(ctx, queries[(w*7919+i+r)%len(queries)])
		})
		if err := phaseErr("search", res); err != nil {
			return err
		}
		p50, p99, qps = append(p50, ms(res.P50)), append(p99, ms(res.P99)), append(qps, res.QPS())
	}
	add(fmt.Sprintf("GET /healthz p50 (%d clients, baseline)", read.Concurrency), "ms", hzP50...)
	add(fmt.Sprintf("GET /healthz p99 (%d clients, baseline)", read.Concurrency), "ms", hzP99...)
	add(fmt.Sprintf("GET /v1/search p50 (Office, %d queries, hybrid, %d clients)", len(queries), read.Concurrency), "ms", p50...)
	add(fmt.Sprintf("GET /v1/search p99 (Office, %d queries, hybrid, %d clients)", len(queries), read.Concurrency), "ms", p99...)
	add("GET /v1/search throughput", "req/s", qps...)
	return nil
}
