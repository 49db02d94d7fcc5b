package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/importer"
	"github.com/aislehq/aisle/loadgen"
	"github.com/aislehq/aisle/sqlite"
)

// benchResult is one measured quantity, as the median over runs.
type benchResult struct {
	Name   string    `json:"name"`
	Unit   string    `json:"unit"`
	Median float64   `json:"median"`
	Runs   []float64 `json:"runs"`
}

// runBench imports Amazon Beauty into a temporary store, serves it on
// loopback in this process, and drives it with the load generator:
// the import time, event ingestion in batches of 500, and recommendation
// latency at a given concurrency beside GET /healthz as a baseline.
func runBench(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
	cfg := DefaultConfig()
	data := fs.String("data", "../shared/data", "`folder` holding amazon-beauty")
	dur := fs.Duration("duration", 10*time.Second, "how long each load phase runs")
	conc := fs.Int("concurrency", 8, "concurrent clients for the read phases")
	writers := fs.Int("writers", 4, "concurrent clients posting events")
	batch := fs.Int("batch", 500, "events per POST /v1/events")
	runs := fs.Int("runs", 3, "repetitions of each load phase (medians are reported)")
	asJSON := fs.Bool("json", false, "print results as JSON")
	trained := fs.Bool("train", false, "train and save the model set first, so recommendations come from the fused models")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the load phases to `file`")
	keep := fs.String("data-dir", "", "keep the benchmark store in this `directory` (default: a temporary one, removed)")
	fs.StringVar(&cfg.Store.Synchronous, "sync", cfg.Store.Synchronous, "SQLite durability of the benchmark store: FULL or NORMAL")
	cfg.LogLevel = "error"
	bindLog(fs, &cfg)
	logger, err := parseFlags(e, fs, &cfg, "aisle bench [-data DIR] [-duration D] [-concurrency N] [-runs N] [-json]", args)
	if err != nil {
		return err
	}
	if *keep != "" {
		cfg.DataDir = *keep
	} else {
		dir, err := os.MkdirTemp("", "aisle-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.DataDir = dir
	}
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.HTTP.MaxBatch = max(cfg.HTTP.MaxBatch, *batch)

	db, err := cfg.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	var results []benchResult
	add := func(name, unit string, vals ...float64) {
		s := slices.Clone(vals)
		slices.Sort(s)
		results = append(results, benchResult{name, unit, s[len(s)/2], vals})
	}

	src := filepath.Join(*data, "amazon-beauty")
	fmt.Fprintf(e.stderr, "bench: importing %s\n", src)
	t := time.Now()
	sum, err := importer.Run(ctx, db, src, importer.Options{Format: "s3rec", Logger: logger})
	if err != nil {
		return err
	}
	importSecs := time.Since(t).Seconds()
	if sum.RejectedTotal > 0 {
		return fmt.Errorf("import rejected %d rows; first: %v", sum.RejectedTotal, sum.Rejected[0])
	}
	counts, err := db.Counts(ctx)
	if err != nil {
		return err
	}
	add("import Beauty ("+fmt.Sprint(counts.Events)+" events)", "s", importSecs)

	users, items, err := idsInStore(ctx, db)
	if err != nil {
		return err
	}
	if *trained {
		fmt.Fprintf(e.stderr, "bench: training the model set\n")
		t := time.Now()
		if err := trainAndSave(ctx, &env{stdout: io.Discard, stderr: e.stderr}, db, filepath.Join(cfg.DataDir, "models"), 1, logger); err != nil {
			return err
		}
		add("train and save the model set", "s", time.Since(t).Seconds())
	}

	srvCtx, stopServer := context.WithCancel(ctx)
	urls := make(chan string, 1)
	served := make(chan error, 1)
	go func() {
		served <- serve(srvCtx, &env{stdout: io.Discard, stderr: e.stderr}, cfg, db, logger, func(u string) { urls <- u })
	}()
	var base string
	select {
	case base = <-urls:
	case err := <-served:
		stopServer()
		return fmt.Errorf("start server: %w", err)
	}
	defer func() { stopServer(); <-served }()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second}
	get := func(ctx context.Context, path string) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: status %d", path, resp.StatusCode)
		}
		return nil
	}
	read := loadgen.Options{Concurrency: *conc, Duration: *dur}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var (
		hzP50, hzP99, hzQPS    []float64
		recP50, recP99, recQPS []float64
		evRate, evP99          []float64
	)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	for r := range *runs {
		fmt.Fprintf(e.stderr, "bench: run %d of %d\n", r+1, *runs)
		hz := loadgen.Run(ctx, read, func(ctx context.Context, w, i int) error { return get(ctx, "/healthz") })
		if err := phaseErr("healthz", hz); err != nil {
			return err
		}
		hzP50, hzP99, hzQPS = append(hzP50, ms(hz.P50)), append(hzP99, ms(hz.P99)), append(hzQPS, hz.QPS())

		rng := rand.New(rand.NewPCG(uint64(r), 1))
		picks := make([]string, 1<<16)
		for i := range picks {
			picks[i] = users[rng.IntN(len(users))]
		}
		rec := loadgen.Run(ctx, read, func(ctx context.Context, w, i int) error {
			return get(ctx, "/v1/recommend/"+picks[(w*7919+i)%len(picks)]+"?n=10")
		})
		if err := phaseErr("recommend", rec); err != nil {
			return err
		}
		recP50, recP99, recQPS = append(recP50, ms(rec.P50)), append(recP99, ms(rec.P99)), append(recQPS, rec.QPS())

		// Request bodies are built before the phase, as wrk's are, so the
		// load generator's JSON encoding does not compete with the server
		// for the two cores. 100 batches per second per run is well above
		// what the server absorbs.
		bodies := make([][]byte, int(dur.Seconds()*100)+1)
		for i := range bodies {
			events := make([]aisle.Event, *batch)
			for k := range events {
				events[k] = aisle.Event{ID: fmt.Sprintf("bench-%d-%d-%d", r, i, k), User: users[rng.IntN(len(users))], Item: items[rng.IntN(len(items))], Type: aisle.EventView}
			}
			bodies[i], _ = json.Marshal(map[string]any{"events": events})
		}
		ev := loadgen.Run(ctx, loadgen.Options{Concurrency: *writers, Duration: *dur, MaxRequests: len(bodies)}, func(ctx context.Context, w, i int) error {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/events", bytes.NewReader(bodies[i]))
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			io.Copy(io.Discard, resp.Body)
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("POST /v1/events: status %d", resp.StatusCode)
			}
			return nil
		})
		if err := phaseErr("events", ev); err != nil {
			return err
		}
		evRate, evP99 = append(evRate, ev.QPS()*float64(*batch)), append(evP99, ms(ev.P99))
	}
	add(fmt.Sprintf("GET /healthz p50 (%d clients, baseline)", *conc), "ms", hzP50...)
	add(fmt.Sprintf("GET /healthz p99 (%d clients, baseline)", *conc), "ms", hzP99...)
	add("GET /healthz throughput", "req/s", hzQPS...)
	add(fmt.Sprintf("GET /v1/recommend p50 (%d clients)", *conc), "ms", recP50...)
	add(fmt.Sprintf("GET /v1/recommend p99 (%d clients)", *conc), "ms", recP99...)
	add("GET /v1/recommend throughput", "req/s", recQPS...)
	add(fmt.Sprintf("POST /v1/events ingestion (batches of %d, %d clients)", *batch, *writers), "events/s", evRate...)
	add("POST /v1/events p99 per batch", "ms", evP99...)

	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	}
	fmt.Fprintf(e.stdout, "| measurement | median | unit | runs |\n|---|---|---|---|\n")
	for _, r := range results {
		fmt.Fprintf(e.stdout, "| %s | %.4g | %s | %s |\n", r.Name, r.Median, r.Unit, fmtRuns(r.Runs))
	}
	return nil
}

func phaseErr(name string, r loadgen.Result) error {
	if r.Requests == 0 {
		return fmt.Errorf("%s phase completed no request", name)
	}
	if r.Errors > 0 {
		return fmt.Errorf("%s phase: %d of %d requests failed, first: %w", name, r.Errors, r.Requests, r.FirstError)
	}
	return nil
}

func fmtRuns(v []float64) string {
	var b bytes.Buffer
	for i, x := range v {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%.4g", x)
	}
	return b.String()
}

// idsInStore returns the distinct user and item ids of the event log.
func idsInStore(ctx context.Context, db *sqlite.DB) (users, items []string, err error) {
	seenU, seenI := map[string]bool{}, map[string]bool{}
	for e, err := range db.Events(ctx, 0) {
		if err != nil {
			return nil, nil, err
		}
		if !seenU[e.User] {
			seenU[e.User] = true
			users = append(users, e.User)
		}
		if e.Item != "" && !seenI[e.Item] {
			seenI[e.Item] = true
			items = append(items, e.Item)
		}
	}
	if len(users) == 0 || len(items) == 0 {
		return nil, nil, fmt.Errorf("no events to draw users and items from")
	}
	return users, items, nil
}
