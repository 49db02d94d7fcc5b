package loadgen

import (
	"context"
	"math"
	"runtime/trace"
	"sync"
	"time"
)

// runOpen runs the open loop of Options.Rate: one scheduler sends request
// i at start + i/Rate on a goroutine of its own, so a slow answer never
// delays a later send, and measures each latency from the scheduled time.
// A scheduler that wakes late sends what is due at once, and the lateness
// counts. Requests in flight when the schedule ends are waited for.
func runOpen(ctx context.Context, opts Options, req Request) Result {
	n := int(math.Ceil(opts.Duration.Seconds() * opts.Rate))
	if opts.MaxRequests > 0 {
		n = min(n, opts.MaxRequests)
	}
	inFlight := opts.MaxInFlight
	if inFlight <= 0 {
		inFlight = max(64, int(math.Ceil(opts.Rate)))
	}
	// Every slot is allocated up front, so the generator allocates little
	// while it runs (it may share a process, and its collector, with the
	// server it measures).
	lat := make([]time.Duration, n)
	errs := make([]error, n)
	counted := make([]bool, n)
	workers := make(chan int, inFlight) // free worker numbers: the cap
	for w := range inFlight {
		workers <- w
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		due := start.Add(time.Duration(float64(i) / opts.Rate * float64(time.Second)))
		if !sleepUntil(ctx, timer, due) {
			break
		}
		var w int
		select {
		case w = <-workers:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			err := req(ctx, w, i)
			lat[i], errs[i], counted[i] = time.Since(due), err, ctx.Err() == nil
			if trace.IsEnabled() {
				// Lines slow requests up with what the runtime did then.
				trace.Log(ctx, "loadgen latency", lat[i].String())
			}
			workers <- w
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := lat[:0]
	var nerr int
	var firstErr error
	for i := range n {
		if !counted[i] {
			continue
		}
		all = append(all, lat[i])
		if errs[i] != nil {
			nerr++
			if firstErr == nil {
				firstErr = errs[i]
			}
		}
	}
	return summarise(all, nerr, firstErr, elapsed)
}

// sleepUntil waits on timer until t, and reports false if ctx ended first.
func sleepUntil(ctx context.Context, timer *time.Timer, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer.Reset(d)
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
