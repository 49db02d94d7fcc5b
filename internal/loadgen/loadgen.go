// Package loadgen is a load generator: for a duration, a fixed number of
// workers each send one request at a time as fast as answers come (closed
// loop), or requests are sent on a fixed schedule whatever the answers do
// (open loop, Options.Rate); the latencies of every request are kept to
// report exact percentiles.
package loadgen

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Options configure a run. Zero fields take the defaults in parentheses.
type Options struct {
	Concurrency int           // closed-loop workers (8)
	Duration    time.Duration // how long to send (10s)
	// MaxRequests stops the run after this many requests; 0 means no cap.
	MaxRequests int
	// Rate, when positive, runs an open loop: request i is sent at i/Rate
	// seconds after the start, on its own goroutine, whether or not
	// earlier requests have been answered, and its latency is measured
	// from that scheduled time, so a late send counts (no coordinated
	// omission). Requests still in flight at the end of Duration are
	// waited for and counted. Concurrency is then ignored.
	Rate float64
	// MaxInFlight caps the open loop's requests in flight (default: one
	// second of the schedule, at least 64); a request due while the cap
	// is reached waits, and the wait counts in its latency.
	MaxInFlight int
}

// Request sends request number i of worker w and reports an error if the
// request failed or its response was wrong. It must be safe for concurrent
// use by different workers.
type Request func(ctx context.Context, worker, i int) error

// Result summarises a run.
type Result struct {
	Requests int           // requests completed (including failed ones)
	Errors   int           // requests that returned an error
	Elapsed  time.Duration // wall time of the run
	// FirstError is the first error seen, for diagnosis.
	FirstError error
	// Latency percentiles over every completed request.
	P50, P90, P99, Max time.Duration
}

// QPS is completed requests per second.
func (r Result) QPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// String formats the result on one line.
func (r Result) String() string {
	return fmt.Sprintf("%d requests (%d errors) in %s: %.0f req/s, p50 %s, p90 %s, p99 %s, max %s",
		r.Requests, r.Errors, r.Elapsed.Round(time.Millisecond), r.QPS(),
		r.P50.Round(time.Microsecond), r.P90.Round(time.Microsecond), r.P99.Round(time.Microsecond), r.Max.Round(time.Microsecond))
}

// Run sends requests until opts.Duration passes, opts.MaxRequests are
// done, or ctx ends, and returns what it measured.
func Run(ctx context.Context, opts Options, req Request) Result {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	if opts.Duration <= 0 {
		opts.Duration = 10 * time.Second
	}
	if opts.Rate > 0 {
		return runOpen(ctx, opts, req)
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Duration)
	defer cancel()

	var (
		mu       sync.Mutex
		all      []time.Duration
		errs     int
		firstErr error
		issued   int
	)
	next := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if opts.MaxRequests > 0 && issued >= opts.MaxRequests {
			return 0, false
		}
		issued++
		return issued - 1, true
	}
	start := time.Now()
	var wg sync.WaitGroup
	for w := range opts.Concurrency {
		wg.Go(func() {
			var lat []time.Duration
			var werrs int
			var werr error
			for ctx.Err() == nil {
				i, ok := next()
				if !ok {
					break
				}
				t := time.Now()
				err := req(ctx, w, i)
				if ctx.Err() != nil {
					break // cut short by the deadline: not a measurement
				}
				lat = append(lat, time.Since(t))
				if err != nil {
					werrs++
					if werr == nil {
						werr = err
					}
				}
			}
			mu.Lock()
			all = append(all, lat...)
			errs += werrs
			if firstErr == nil {
				firstErr = werr
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	return summarise(all, errs, firstErr, time.Since(start))
}

// summarise returns the Result of a run's latencies (sorted in place).
func summarise(all []time.Duration, errs int, firstErr error, elapsed time.Duration) Result {
	r := Result{Requests: len(all), Errors: errs, Elapsed: elapsed, FirstError: firstErr}
	if len(all) > 0 {
		slices.Sort(all)
		r.P50, r.P90, r.P99 = Percentile(all, 50), Percentile(all, 90), Percentile(all, 99)
		r.Max = all[len(all)-1]
	}
	return r
}

// Percentile returns the p-th percentile (nearest rank) of sorted values.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(float64(len(sorted))*p/100+0.999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}
