package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/importer"
	"github.com/aislehq/aisle/internal/loadgen"
)

// beauty imports Amazon Beauty into the store, serves it, and drives it
// with the load generator: the import time, event ingestion in batches,
// and recommendation latency at a given concurrency beside GET /healthz
// as a baseline; with cfg.Train, also serving while `aisle train` runs.
func beauty(ctx context.Context, h Harness, cfg Config, res *results) error {
	if !cfg.Reuse {
		if err := importBeauty(ctx, h, cfg, res); err != nil {
			return err
		}
	}
	users, items, err := idsInStore(ctx, h.Store)
	if err != nil {
		return err
	}
	if cfg.Train && !cfg.Reuse {
		fmt.Fprintf(h.Log, "bench: training the model set\n")
		t := time.Now()
		if err := h.Train(ctx, nil); err != nil {
			return err
		}
		res.add("train and save the model set", "s", time.Since(t).Seconds())
	}
	base, stop, err := StartServer(ctx, h.Serve)
	if err != nil {
		return err
	}
	defer stop()
	c := newClient(base)
	defer c.close()
	if cfg.CPUProfile != "" {
		f, err := os.Create(cfg.CPUProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var ph beautyPhases
	for r := range cfg.Runs {
		fmt.Fprintf(h.Log, "bench: run %d of %d\n", r+1, cfg.Runs)
		if err := ph.run(ctx, c, cfg, r, users, items); err != nil {
			return err
		}
	}
	if cfg.MemProfile != "" {
		if err := writeHeapProfile(cfg.MemProfile); err != nil {
			return err
		}
	}
	live, scan := heapAfterGC()
	res.add("Go heap live after the load phases", "MB", live)
	res.add("of it, what each collection scans for pointers", "MB", scan)
	if cfg.Train {
		if err := whileServing(ctx, h, cfg, c, users, res); err != nil {
			return err
		}
	}
	ph.report(cfg, res)
	return nil
}

// importBeauty imports Amazon Beauty and records how long it took.
func importBeauty(ctx context.Context, h Harness, cfg Config, res *results) error {
	src := filepath.Join(cfg.Data, "amazon-beauty")
	fmt.Fprintf(h.Log, "bench: importing %s\n", src)
	t := time.Now()
	sum, err := importer.Run(ctx, h.Store, src, importer.Options{Format: "s3rec"}, importer.Deps{}, h.logger)
	if err != nil {
		return err
	}
	importSecs := time.Since(t).Seconds()
	if sum.RejectedTotal > 0 {
		return fmt.Errorf("import rejected %d rows; first: %v", sum.RejectedTotal, sum.Rejected[0])
	}
	counts, err := h.Store.Counts(ctx)
	if err != nil {
		return err
	}
	res.add("import Beauty ("+fmt.Sprint(counts.Events)+" events)", "s", importSecs)
	return nil
}

// beautyPhases are the measurements of the Beauty load phases, one a run.
type beautyPhases struct {
	hzP50, hzP99, hzQPS    []float64
	recP50, recP99, recQPS []float64
	evRate, evP99          []float64
}

// run runs the load phases once: GET /healthz, GET /v1/recommend and
// POST /v1/events.
func (p *beautyPhases) run(ctx context.Context, c *client, cfg Config, r int, users, items []string) error {
	read := loadgen.Options{Concurrency: cfg.Concurrency, Duration: cfg.Duration}
	hz := loadgen.Run(ctx, read, func(ctx context.Context, w, i int) error { return c.get(ctx, "/healthz") })
	if err := phaseErr("healthz", hz); err != nil {
		return err
	}
	p.hzP50, p.hzP99, p.hzQPS = append(p.hzP50, ms(hz.P50)), append(p.hzP99, ms(hz.P99)), append(p.hzQPS, hz.QPS())

	rng := rand.New(rand.NewPCG(uint64(r), 1))
	picks := drawUsers(users, uint64(r), 1)
	rec := loadgen.Run(ctx, read, func(ctx context.Context, w, i int) error {
		return c.get(ctx, "/v1/recommend/"+picks[(w*7919+i)%len(picks)]+"?n=10")
	})
	if err := phaseErr("recommend", rec); err != nil {
		return err
	}
	p.recP50, p.recP99, p.recQPS = append(p.recP50, ms(rec.P50)), append(p.recP99, ms(rec.P99)), append(p.recQPS, rec.QPS())

	bodies := eventBodies(rng, cfg, r, users, items)
	ev := loadgen.Run(ctx, loadgen.Options{Concurrency: cfg.Writers, Duration: cfg.Duration, MaxRequests: len(bodies)}, func(ctx context.Context, w, i int) error {
		return c.post(ctx, "/v1/events", bodies[i])
	})
	if err := phaseErr("events", ev); err != nil {
		return err
	}
	p.evRate, p.evP99 = append(p.evRate, ev.QPS()*float64(cfg.Batch)), append(p.evP99, ms(ev.P99))
	return nil
}

// eventBodies builds the request bodies of run r's event phase before it
// starts, as wrk's are, so the load generator's JSON encoding does not
// compete with the server for the two cores. 100 batches per second per
// run is well above what the server absorbs.
func eventBodies(rng *rand.Rand, cfg Config, r int, users, items []string) [][]byte {
	bodies := make([][]byte, int(cfg.Duration.Seconds()*100)+1)
	for i := range bodies {
		events := make([]aisle.Event, cfg.Batch)
		for k := range events {
			events[k] = aisle.Event{ID: fmt.Sprintf("bench-%d-%d-%d", r, i, k), User: users[rng.IntN(len(users))], Item: items[rng.IntN(len(items))], Type: aisle.EventView}
		}
		bodies[i], _ = json.Marshal(map[string]any{"events": events})
	}
	return bodies
}

// report records the phases' measurements.
func (p *beautyPhases) report(cfg Config, res *results) {
	res.add(fmt.Sprintf("GET /healthz p50 (%d clients, baseline)", cfg.Concurrency), "ms", p.hzP50...)
	res.add(fmt.Sprintf("GET /healthz p99 (%d clients, baseline)", cfg.Concurrency), "ms", p.hzP99...)
	res.add("GET /healthz throughput", "req/s", p.hzQPS...)
	res.add(fmt.Sprintf("GET /v1/recommend p50 (%d clients)", cfg.Concurrency), "ms", p.recP50...)
	res.add(fmt.Sprintf("GET /v1/recommend p99 (%d clients)", cfg.Concurrency), "ms", p.recP99...)
	res.add("GET /v1/recommend throughput", "req/s", p.recQPS...)
	res.add(fmt.Sprintf("POST /v1/events ingestion (batches of %d, %d clients)", cfg.Batch, cfg.Writers), "events/s", p.evRate...)
	res.add("POST /v1/events p99 per batch", "ms", p.evP99...)
}

// whileServing measures serving while `aisle train` retrains in another
// process, as in production, at a steady request rate (a saturating
// closed loop would leave a low-priority training no CPU at all): first
// alone, then in back-to-back phases until the training exits. Each phase
// sends GET /healthz at the same rate first, the open loop's baseline:
// what the load generator, the HTTP stack and the machine add.
func whileServing(ctx context.Context, h Harness, cfg Config, c *client, users []string, res *results) error {
	paced := loadgen.Options{Duration: cfg.Duration, Rate: cfg.TrainRate}
	var hz, p50, p99 []float64
	tr := &worstTrace{}
	phase := func(r int) error {
		base := loadgen.Run(ctx, paced, func(ctx context.Context, w, i int) error { return c.get(ctx, "/healthz") })
		if err := phaseErr("healthz at a steady rate", base); err != nil {
			return err
		}
		paths := recommendPaths(drawUsers(users, uint64(r), 2))
		out := loadgen.Run(ctx, paced, func(ctx context.Context, w, i int) error { return c.get(ctx, paths[i%len(paths)]) })
		if err := phaseErr("recommend at a steady rate", out); err != nil {
			return err
		}
		hz, p50, p99 = append(hz, ms(base.P99)), append(p50, ms(out.P50)), append(p99, ms(out.P99))
		return tr.phaseDone(ms(out.P99))
	}
	record := func(during string) {
		res.add(fmt.Sprintf("GET /healthz p99 at %.0f req/s%s (baseline)", cfg.TrainRate, during), "ms", hz...)
		res.add(fmt.Sprintf("GET /v1/recommend p50 at %.0f req/s%s", cfg.TrainRate, during), "ms", p50...)
		res.add(fmt.Sprintf("GET /v1/recommend p99 at %.0f req/s%s", cfg.TrainRate, during), "ms", p99...)
		hz, p50, p99 = nil, nil, nil
		tr.stop()
	}
	var err error
	if tr, err = startWorstTrace(traceFile(cfg.Trace, "idle"), cfg.Duration); err != nil {
		return err
	}
	for r := range cfg.Runs {
		if err := phase(100 + r); err != nil {
			tr.stop()
			return err
		}
	}
	record("")
	if cfg.SkipTrainPhase {
		return nil
	}
	fmt.Fprintf(h.Log, "bench: recommending at %.0f req/s while `aisle train` runs\n", cfg.TrainRate)
	if tr, err = startWorstTrace(traceFile(cfg.Trace, "train"), cfg.Duration); err != nil {
		return err
	}
	secs, err := whileTraining(ctx, h, phase)
	if err != nil {
		tr.stop()
		return err
	}
	res.add("`aisle train` in another process, wall", "s", secs)
	record(" during training")
	return nil
}

// traceFile names the trace file of a group of phases: "" without prefix.
func traceFile(prefix, group string) string {
	if prefix == "" {
		return ""
	}
	return prefix + "-" + group + ".trace"
}

// recommendPaths returns the request path of each user's
// recommendations, built before a phase so the load generator does not
// build them while it measures.
func recommendPaths(users []string) []string {
	paths := make([]string, len(users))
	for i, u := range users {
		paths[i] = "/v1/recommend/" + u + "?n=10"
	}
	return paths
}

// writeHeapProfile collects garbage and writes the live heap's profile to
// path.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("heap profile: %w", err)
	}
	return f.Close()
}

// heapAfterGC collects garbage and returns the live heap and the part of
// it the collector scans for pointers (the rest holds none), in MB.
func heapAfterGC() (live, scan float64) {
	runtime.GC()
	ms := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/scan/heap:bytes"}}
	metrics.Read(ms)
	mb := func(s metrics.Sample) float64 {
		if s.Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return float64(s.Value.Uint64()) / (1 << 20)
	}
	return mb(ms[0]), mb(ms[1])
}
