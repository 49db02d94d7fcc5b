package bench

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/eval"
	"github.com/aislehq/aisle/importer"
	"github.com/aislehq/aisle/internal/loadgen"
)

// searchPhases imports Amazon Office (catalog and purchases), trains the
// model set (so dense retrieval uses the trained built-in encoder),
// serves it and measures GET /v1/search with the search benchmark's
// queries (category leaves, brand + leaf) beside GET /healthz as a
// baseline, cfg.Runs times.
func searchPhases(ctx context.Context, h Harness, cfg Config, res *results) error {
	queries, err := searchQueries(ctx, h, cfg)
	if err != nil {
		return err
	}
	base, stop, err := StartServer(ctx, h.Serve)
	if err != nil {
		return err
	}
	defer stop()
	c := newClient(base)
	defer c.close()
	read := loadgen.Options{Concurrency: cfg.Concurrency, Duration: cfg.Duration}
	var hzP50, hzP99, p50, p99, qps []float64
	for r := range cfg.Runs {
		fmt.Fprintf(h.Log, "bench: run %d of %d\n", r+1, cfg.Runs)
		hz := loadgen.Run(ctx, read, func(ctx context.Context, w, i int) error { return c.get(ctx, "/healthz") })
		if err := phaseErr("healthz", hz); err != nil {
			return err
		}
		hzP50, hzP99 = append(hzP50, ms(hz.P50)), append(hzP99, ms(hz.P99))
		out := loadgen.Run(ctx, read, func(ctx context.Context, w, i int) error {
			return c.get(ctx, queries[(w*7919+i+r)%len(queries)])
		})
		if err := phaseErr("search", out); err != nil {
			return err
		}
		p50, p99, qps = append(p50, ms(out.P50)), append(p99, ms(out.P99)), append(qps, out.QPS())
	}
	res.add(fmt.Sprintf("GET /healthz p50 (%d clients, baseline)", read.Concurrency), "ms", hzP50...)
	res.add(fmt.Sprintf("GET /healthz p99 (%d clients, baseline)", read.Concurrency), "ms", hzP99...)
	res.add(fmt.Sprintf("GET /v1/search p50 (Office, %d queries, hybrid, %d clients)", len(queries), read.Concurrency), "ms", p50...)
	res.add(fmt.Sprintf("GET /v1/search p99 (Office, %d queries, hybrid, %d clients)", len(queries), read.Concurrency), "ms", p99...)
	res.add("GET /v1/search throughput", "req/s", qps...)
	return nil
}

// searchQueries imports Office, trains the model set, and returns the
// search requests of the search benchmark's queries on its catalog.
func searchQueries(ctx context.Context, h Harness, cfg Config) ([]string, error) {
	src := filepath.Join(cfg.Data, "amazon-office")
	fmt.Fprintf(h.Log, "bench: importing %s\n", src)
	if _, err := importer.Run(ctx, h.Store, src, importer.Options{Format: "lcrec"}, importer.Deps{}, h.logger); err != nil {
		return nil, err
	}
	fmt.Fprintf(h.Log, "bench: training the model set\n")
	if err := h.Train(ctx, nil); err != nil {
		return nil, err
	}
	items, err := aisle.AllItems(ctx, h.Store)
	if err != nil {
		return nil, err
	}
	var queries []string
	for _, c := range eval.SearchCases(items) {
		queries = append(queries, "/v1/search?n=10&q="+url.QueryEscape(c.Query))
	}
	if len(queries) == 0 {
		return nil, fmt.Errorf("bench: no search queries from %s", src)
	}
	return queries, nil
}
