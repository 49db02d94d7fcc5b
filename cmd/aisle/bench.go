package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/importer"
	"github.com/aislehq/aisle/internal/loadgen"
	"github.com/aislehq/aisle/internal/synth"
	"github.com/aislehq/aisle/model/train"
	"github.com/aislehq/aisle/store/sqlite"
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
	trained := fs.Bool("train", false, "train and save the model set first, so recommendations come from the fused models; then measure serving while `aisle train` runs again")
	trainRate := fs.Float64("train-rate", 1000, "recommend requests per second while `aisle train` runs (with -train)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the load phases to `file`")
	synthItems := fs.Int("synthetic-items", 0, "instead of Beauty, ingest a synthetic catalog of `N` items (package synth), train and serve it: the scale test")
	synthEvents := fs.Int("synthetic-events", 10_000_000, "events of the synthetic log")
	searchOnly := fs.Bool("search", false, "instead of Beauty, import and train Amazon Office and measure GET /v1/search (the search benchmark's queries)")
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

	if *synthItems > 0 {
		sc := synth.Config{Items: *synthItems, Events: *synthEvents, Seed: 1}
		if err := benchSynthetic(ctx, e, cfg, db, logger, sc, loadgen.Options{Concurrency: *conc, Duration: *dur}, *runs, add); err != nil {
			return err
		}
		return printBench(e.stdout, results, *asJSON)
	}

	if *searchOnly {
		if err := benchSearch(ctx, e, cfg, db, logger, *data, loadgen.Options{Concurrency: *conc, Duration: *dur}, *runs, add); err != nil {
			return err
		}
		return printBench(e.stdout, results, *asJSON)
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
		if err := trainAndSave(ctx, &env{stdout: io.Discard, stderr: e.stderr}, db, nil, filepath.Join(cfg.DataDir, "models"), train.Config{Seed: 1, Progress: trainProgress(e.stderr)}, logger); err != nil {
			return err
		}
		add("train and save the model set", "s", time.Since(t).Seconds())
	}

	base, stop, err := startServer(ctx, e, cfg, db, logger)
	if err != nil {
		return err
	}
	defer stop()
	client := newBenchClient(base)
	get := client.get
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
		picks := drawUsers(users, uint64(r), 1)
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
			return client.post(ctx, "/v1/events", bodies[i])
		})
		if err := phaseErr("events", ev); err != nil {
			return err
		}
		evRate, evP99 = append(evRate, ev.QPS()*float64(*batch)), append(evP99, ms(ev.P99))
	}
	if *trained {
		// Serving while `aisle train` retrains in another process, as in
		// production, at a steady request rate (a saturating closed loop
		// would leave a low-priority training no CPU at all): first alone,
		// then in back-to-back phases until the training exits.
		paced := loadgen.Options{Concurrency: *conc, Duration: *dur, Rate: *trainRate}
		var p50, p99 []float64
		phase := func(r int) error {
			picks := drawUsers(users, uint64(r), 2)
			res := loadgen.Run(ctx, paced, func(ctx context.Context, w, i int) error {
				return get(ctx, "/v1/recommend/"+picks[i%len(picks)]+"?n=10")
			})
			if err := phaseErr("recommend at a steady rate", res); err != nil {
				return err
			}
			p50, p99 = append(p50, ms(res.P50)), append(p99, ms(res.P99))
			return nil
		}
		for r := range *runs {
			if err := phase(100 + r); err != nil {
				return err
			}
		}
		add(fmt.Sprintf("GET /v1/recommend p50 at %.0f req/s", *trainRate), "ms", p50...)
		add(fmt.Sprintf("GET /v1/recommend p99 at %.0f req/s", *trainRate), "ms", p99...)
		fmt.Fprintf(e.stderr, "bench: recommending at %.0f req/s while `aisle train` runs\n", *trainRate)
		p50, p99 = nil, nil
		secs, err := whileTraining(ctx, cfg.DataDir, phase)
		if err != nil {
			return err
		}
		add("`aisle train` in another process, wall", "s", secs)
		add(fmt.Sprintf("GET /v1/recommend p50 at %.0f req/s during training", *trainRate), "ms", p50...)
		add(fmt.Sprintf("GET /v1/recommend p99 at %.0f req/s during training", *trainRate), "ms", p99...)
	}
	add(fmt.Sprintf("GET /healthz p50 (%d clients, baseline)", *conc), "ms", hzP50...)
	add(fmt.Sprintf("GET /healthz p99 (%d clients, baseline)", *conc), "ms", hzP99...)
	add("GET /healthz throughput", "req/s", hzQPS...)
	add(fmt.Sprintf("GET /v1/recommend p50 (%d clients)", *conc), "ms", recP50...)
	add(fmt.Sprintf("GET /v1/recommend p99 (%d clients)", *conc), "ms", recP99...)
	add("GET /v1/recommend throughput", "req/s", recQPS...)
	add(fmt.Sprintf("POST /v1/events ingestion (batches of %d, %d clients)", *batch, *writers), "events/s", evRate...)
	add("POST /v1/events p99 per batch", "ms", evP99...)

	return printBench(e.stdout, results, *asJSON)
}

// printBench prints results as JSON or as a Markdown table.
func printBench(w io.Writer, results []benchResult, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	}
	fmt.Fprintf(w, "| measurement | median | unit | runs |\n|---|---|---|---|\n")
	for _, r := range results {
		fmt.Fprintf(w, "| %s | %.4g | %s | %s |\n", r.Name, r.Median, r.Unit, fmtRuns(r.Runs))
	}
	return nil
}

// startServer serves db on cfg's address in this process and returns its
// base URL and a function that stops it.
func startServer(ctx context.Context, e *env, cfg Config, db *sqlite.DB, logger *slog.Logger) (string, func(), error) {
	srvCtx, stopServer := context.WithCancel(ctx)
	urls := make(chan string, 1)
	served := make(chan error, 1)
	go func() {
		served <- serve(srvCtx, &env{stdout: io.Discard, stderr: e.stderr}, cfg, db, logger, func(u string) { urls <- u })
	}()
	select {
	case base := <-urls:
		return base, func() { stopServer(); <-served }, nil
	case err := <-served:
		stopServer()
		return "", nil, fmt.Errorf("start server: %w", err)
	}
}

// benchClient sends load phases' requests to a server; any status but
// 200 is an error.
type benchClient struct {
	c    *http.Client
	base string
}

func newBenchClient(base string) *benchClient {
	return &benchClient{&http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second}, base}
}

// get GETs path.
func (b *benchClient) get(ctx context.Context, path string) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.base+path, nil)
	return b.do(req)
}

// post POSTs a JSON body to path.
func (b *benchClient) post(ctx context.Context, path string, body []byte) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, b.base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return b.do(req)
}

func (b *benchClient) do(req *http.Request) error {
	resp, err := b.c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: status %d", req.Method, req.URL.Path, resp.StatusCode)
	}
	return nil
}

// drawUsers returns 65,536 users drawn at random from users, the same for
// the same seeds, for load phases to request in turn.
func drawUsers(users []string, seed1, seed2 uint64) []string {
	rng := rand.New(rand.NewPCG(seed1, seed2))
	picks := make([]string, 1<<16)
	for i := range picks {
		picks[i] = users[rng.IntN(len(users))]
	}
	return picks
}

// whileTraining runs `aisle train` on dataDir in a child process and calls
// phase with 0, 1, … until it exits; it returns the training's wall time.
// The child's output is discarded unless it fails.
func whileTraining(ctx context.Context, dataDir string, phase func(r int) error) (float64, error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, err
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, exe, "train", "-data-dir", dataDir, "-log-level", "error")
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for r := 0; ; r++ {
		select {
		case err := <-exited:
			if err != nil {
				return 0, fmt.Errorf("aisle train: %w\n%s", err, out.Bytes())
			}
			if r == 0 {
				return 0, fmt.Errorf("aisle train finished before any load phase ran")
			}
			return time.Since(start).Seconds(), nil
		default:
		}
		if err := phase(r); err != nil {
			cmd.Process.Kill()
			<-exited
			return 0, err
		}
	}
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
