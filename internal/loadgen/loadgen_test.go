package loadgen_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aislehq/aisle/internal/loadgen"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	tests := []struct {
		vals []time.Duration
		p    float64
		want time.Duration
	}{
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 50, 5 * time.Millisecond},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90, 9 * time.Millisecond},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{ms(7), 99, 7 * time.Millisecond},
		{nil, 50, 0},
	}
	for _, tt := range tests {
		if got := loadgen.Percentile(tt.vals, tt.p); got != tt.want {
			t.Errorf("Percentile(%v, %v) = %v, want %v", tt.vals, tt.p, got, tt.want)
		}
	}
}

func TestRunCountsRequestsAndErrors(t *testing.T) {
	var n atomic.Int64
	res := loadgen.Run(context.Background(), loadgen.Options{Concurrency: 4, Duration: 5 * time.Second, MaxRequests: 100},
		func(ctx context.Context, w, i int) error {
			n.Add(1)
			if i%10 == 0 {
				return errors.New("boom")
			}
			return nil
		})
	if res.Requests != 100 || n.Load() != 100 {
		t.Fatalf("requests = %d (calls %d), want 100", res.Requests, n.Load())
	}
	if res.Errors != 10 || res.FirstError == nil {
		t.Errorf("errors = %d (%v), want 10", res.Errors, res.FirstError)
	}
	if res.QPS() <= 0 || res.Max < res.P99 || res.P99 < res.P50 {
		t.Errorf("inconsistent result %v", res)
	}
}

func TestRunStopsAtDuration(t *testing.T) {
	start := time.Now()
	res := loadgen.Run(context.Background(), loadgen.Options{Concurrency: 2, Duration: 100 * time.Millisecond},
		func(ctx context.Context, w, i int) error {
			select {
			case <-time.After(time.Millisecond):
			case <-ctx.Done():
			}
			return nil
		})
	if time.Since(start) > 5*time.Second || res.Requests == 0 {
		t.Errorf("run did not stop in time or did nothing: %v", res)
	}
}

// TestRunAtARate checks the open loop: requests follow the schedule, and
// when one worker cannot keep up, the waiting counts in the latency.
func TestRunAtARate(t *testing.T) {
	var n atomic.Int64
	r := loadgen.Run(context.Background(), loadgen.Options{Concurrency: 4, Duration: 500 * time.Millisecond, Rate: 100}, func(ctx context.Context, w, i int) error {
		n.Add(1)
		return nil
	})
	if r.Requests < 40 || r.Requests > 51 {
		t.Errorf("%d requests in 0.5 s at 100/s", r.Requests)
	}
	// One worker, 10 ms per request, scheduled every 5 ms: it falls
	// behind, and the later requests' latency includes the backlog.
	r = loadgen.Run(context.Background(), loadgen.Options{Concurrency: 1, Duration: 300 * time.Millisecond, Rate: 200}, func(ctx context.Context, w, i int) error {
		time.Sleep(10 * time.Millisecond)
		return nil
	})
	if r.Max < 50*time.Millisecond {
		t.Errorf("max latency %v: the backlog is not counted", r.Max)
	}
}
