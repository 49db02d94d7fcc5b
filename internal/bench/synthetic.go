package bench

import (
	"context"
	"fmt"
	"iter"
	"math/rand/v2"
	"runtime"
	"syscall"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/internal/loadgen"
	"github.com/aislehq/aisle/internal/synth"
)

// synthBatch is how many items or events each store write carries.
const synthBatch = 5000

// synthetic is the scale test: it writes a synthetic catalog and log of
// cfg's size into the store, trains and saves the model set, serves it
// and drives recommendations and similar items, recording time and memory
// at each stage.
func synthetic(ctx context.Context, h Harness, cfg Config, res *results) error {
	sc := synth.Config{Items: cfg.SyntheticItems, Events: cfg.SyntheticEvents, Seed: 1}
	users, err := writeSynthetic(ctx, h, sc, res)
	if err != nil {
		return err
	}
	fmt.Fprintf(h.Log, "bench: training the model set\n")
	t := time.Now()
	if err := h.Train(ctx, h.Log); err != nil {
		return err
	}
	res.add("train and save the model set (one process)", "s", time.Since(t).Seconds())
	res.add("peak RSS after training", "MB", peakRSSMB())
	runtime.GC()

	t = time.Now()
	base, stop, err := StartServer(ctx, h.Serve)
	if err != nil {
		return err
	}
	defer stop()
	res.add("server start: engine build from the log and model load", "s", time.Since(t).Seconds())
	runtime.GC()
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	res.add("Go heap in use while serving (store, engine, models)", "MB", float64(mem.HeapInuse)/(1<<20))

	c := newClient(base)
	defer c.close()
	read := loadgen.Options{Concurrency: cfg.Concurrency, Duration: cfg.Duration}
	fmt.Fprintf(h.Log, "bench: serving\n")
	if err := pathPhase(ctx, c, read, cfg.Runs, res, "/v1/recommend/{user}", func(rng *rand.Rand) string {
		return "/v1/recommend/" + synth.UserID(rng.IntN(users)) + "?n=10"
	}); err != nil {
		return err
	}
	if err := pathPhase(ctx, c, read, cfg.Runs, res, "/v1/items/{id}/similar", func(rng *rand.Rand) string {
		return "/v1/items/" + synth.ItemID(rng.IntN(sc.Items)) + "/similar?n=10"
	}); err != nil {
		return err
	}
	res.add("peak RSS at the end", "MB", peakRSSMB())
	return nil
}

// writeSynthetic writes sc's catalog and log into the store and returns
// the number of shoppers in the log.
func writeSynthetic(ctx context.Context, h Harness, sc synth.Config, res *results) (int, error) {
	fmt.Fprintf(h.Log, "bench: writing %d synthetic items and %d events\n", sc.Items, sc.Events)
	t := time.Now()
	if err := inBatches(synth.Items(sc), func(b []aisle.Item) error {
		_, err := h.Store.UpsertItems(ctx, b)
		return err
	}); err != nil {
		return 0, err
	}
	res.add(fmt.Sprintf("synthetic: store %d items", sc.Items), "s", time.Since(t).Seconds())

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
		_, err := h.Store.AppendEvents(ctx, b)
		return err
	}); err != nil {
		return 0, err
	}
	secs := time.Since(t).Seconds()
	res.add(fmt.Sprintf("synthetic: store %d events of %d shoppers", sc.Events, users), "s", secs)
	res.add("synthetic: event ingestion rate", "events/s", float64(sc.Events)/secs)
	res.add("peak RSS after ingestion", "MB", peakRSSMB())
	return users, nil
}

// pathPhase runs a GET load phase runs times over paths drawn by path and
// records its latency and throughput under name.
func pathPhase(ctx context.Context, c *client, read loadgen.Options, runs int, res *results, name string, path func(rng *rand.Rand) string) error {
	var p50, p99, qps []float64
	for r := range runs {
		rng := rand.New(rand.NewPCG(uint64(r), 3))
		paths := make([]string, 1<<14)
		for i := range paths {
			paths[i] = path(rng)
		}
		out := loadgen.Run(ctx, read, func(ctx context.Context, w, i int) error {
			return c.get(ctx, paths[(w*7919+i)%len(paths)])
		})
		if err := phaseErr(name, out); err != nil {
			return err
		}
		p50, p99, qps = append(p50, ms(out.P50)), append(p99, ms(out.P99)), append(qps, out.QPS())
	}
	res.add(fmt.Sprintf("GET %s p50 (%d clients)", name, read.Concurrency), "ms", p50...)
	res.add(fmt.Sprintf("GET %s p99 (%d clients)", name, read.Concurrency), "ms", p99...)
	res.add(fmt.Sprintf("GET %s throughput", name), "req/s", qps...)
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
