package main

import (
	"context"
	"fmt"
	"iter"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/internal/loadgen"
	"github.com/aislehq/aisle/internal/synth"
	"github.com/aislehq/aisle/model/train"
	"github.com/aislehq/aisle/store/sqlite"
)

// synthBatch is how many items or events each store write carries.
const synthBatch = 5000

// benchSynthetic is the scale test: it writes a synthetic catalog and log
// of sc's size into db, trains and saves the model set, serves it and
// drives recommendations and similar items, recording time and memory at
// each stage through add.
func benchSynthetic(ctx context.Context, e *env, cfg Config, db *sqlite.DB, logger *slog.Logger, sc synth.Config, read loadgen.Options, runs int, add func(name, unit string, vals ...float64)) error {
	fmt.Fprintf(e.stderr, "bench: writing %d synthetic items and %d events\n", sc.Items, sc.Events)
	t := time.Now()
	if err := inBatches(synth.Items(sc), func(b []aisle.Item) error {
		_, err := db.UpsertItems(ctx, b)
		return err
	}); err != nil {
		return err
	}
	add(fmt.Sprintf("synthetic: store %d items", sc.Items), "s", time.Since(t).Seconds())

	t = time.Now()
	users, last := 0, ""
	events := func(yield func(aisle.Event) bool) {
		for ev := range synth.Events(sc) {
			if ev.User != last {
				users, last = users+1, ev.User
			}
			if !yield(ev) {
				return
			}
		}
	}
	if err := inBatches(events, func(b []aisle.Event) error {
		_, err := db.AppendEvents(ctx, b)
		return err
	}); err != nil {
		return err
	}
	secs := time.Since(t).Seconds()
	add(fmt.Sprintf("synthetic: store %d events of %d shoppers", sc.Events, users), "s", secs)
	add("synthetic: event ingestion rate", "events/s", float64(sc.Events)/secs)
	add("peak RSS after ingestion", "MB", peakRSSMB())

	fmt.Fprintf(e.stderr, "bench: training the model set\n")
	t = time.Now()
	if err := trainAndSave(ctx, &env{stdout: e.stderr, stderr: e.stderr}, db, nil, filepath.Join(cfg.DataDir, "models"), train.Config{Seed: 1, Progress: trainProgress(e.stderr)}, logger); err != nil {
		return err
	}
	add("train and save the model set (one process)", "s", time.Since(t).Seconds())
	add("peak RSS after training", "MB", peakRSSMB())
	runtime.GC()

	t = time.Now()
	base, stop, err := startServer(ctx, e, cfg, db, logger)
	if err != nil {
		return err
	}
	defer stop()
	add("server start: engine build from the log and model load", "s", time.Since(t).Seconds())
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	add("Go heap in use while serving (store, engine, models)", "MB", float64(ms.HeapInuse)/(1<<20))

	client := newBenchClient(base)
	ms2 := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	phase := func(name string, path func(rng *rand.Rand) string) error {
		var p50, p99, qps []float64
		for r := range runs {
			rng := rand.New(rand.NewPCG(uint64(r), 3))
			paths := make([]string, 1<<14)
			for i := range paths {
				paths[i] = path(rng)
			}
			res := loadgen.Run(ctx, read, func(ctx context.Context, w, i int) error {
				return client.get(ctx, paths[(w*7919+i)%len(paths)])
			})
			if err := phaseErr(name, res); err != nil {
				return err
			}
			p50, p99, qps = append(p50, ms2(res.P50)), append(p99, ms2(res.P99)), append(qps, res.QPS())
		}
		add(fmt.Sprintf("GET %s p50 (%d clients)", name, read.Concurrency), "ms", p50...)
		add(fmt.Sprintf("GET %s p99 (%d clients)", name, read.Concurrency), "ms", p99...)
		add(fmt.Sprintf("GET %s throughput", name), "req/s", qps...)
		return nil
	}
	fmt.Fprintf(e.stderr, "bench: serving\n")
	if err := phase("/v1/recommend/{user}", func(rng *rand.Rand) string {
		return "/v1/recommend/" + synth.UserID(rng.IntN(users)) + "?n=10"
	}); err != nil {
		return err
	}
	if err := phase("/v1/items/{id}/similar", func(rng *rand.Rand) string {
		return "/v1/items/" + synth.ItemID(rng.IntN(sc.Items)) + "/similar?n=10"
	}); err != nil {
		return err
	}
	add("peak RSS at the end", "MB", peakRSSMB())
	return nil
}

// inBatches calls write with consecutive batches of synthBatch values of
// seq (the last may be shorter).
func inBatches[T any](seq iter.Seq[T], write func([]T) error) error {
	batch := make([]T, 0, synthBatch)
	for v := range seq {
		if batch = append(batch, v); len(batch) == synthBatch {
			if err := write(batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if len(batch) == 0 {
		return nil
	}
	return write(batch)
}

// peakRSSMB returns the process's peak resident set size in MiB.
func peakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // KiB on Linux
}
