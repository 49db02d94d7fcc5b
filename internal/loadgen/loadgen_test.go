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

// TestRunAtARate checks the open loop: the schedule decides how many
// requests are sent, and when the cap on requests in flight holds sends
// back, the waiting counts in the latency.
func TestRunAtARate(t *testing.T) {
	var n atomic.Int64
	r := loadgen.Run(context.Background(), loadgen.Options{Duration: 500 * time.Millisecond, Rate: 100}, func(ctx context.Context, w, i int) error {
		n.Add(1)
		return nil
	})
	if r.Requests != 50 || n.Load() != 50 {
		t.Errorf("%d requests (%d calls) in 0.5 s at 100/s, want 50", r.Requests, n.Load())
	}
	// One request in flight at most, 10 ms each, scheduled every 5 ms:
	// sends fall behind, and the later requests' latency includes the
	// backlog.
	r = loadgen.Run(context.Background(), loadgen.Options{MaxInFlight: 1, Duration: 300 * time.Millisecond, Rate: 200}, func(ctx context.Context, w, i int) error {
		time.Sleep(10 * time.Millisecond)
		return nil
	})
	if r.Requests != 60 || r.Max < 50*time.Millisecond {
		t.Errorf("%d requests, max latency %v: want 60, and the backlog counted", r.Requests, r.Max)
	}
}

// TestOpenLoopDoesNotWaitForAnswers checks that a request that does not
// answer holds back no later send: the first request is answered only
// when the last one is sent, which a loop waiting for answers (with any
// number of workers short of the whole schedule) would never reach.
func TestOpenLoopDoesNotWaitForAnswers(t *testing.T) {
	release := make(chan struct{})
	var released atomic.Bool
	r := loadgen.Run(context.Background(), loadgen.Options{Concurrency: 2, Duration: 100 * time.Millisecond, Rate: 500}, func(ctx context.Context, w, i int) error {
		switch i {
		case 0:
			select {
			case <-release:
				released.Store(true)
			case <-time.After(10 * time.Second):
			}
		case 49:
			close(release)
		}
		return nil
	})
	if !released.Load() {
		t.Error("the last request was not sent while the first was unanswered")
	}
	if r.Requests != 50 {
		t.Errorf("%d requests counted, want all 50 (the unanswered one too)", r.Requests)
	}
}

// TestOpenLoopCountsRequestsInFlightAtTheEnd checks that requests still
// unanswered when the schedule ends are waited for and measured, not
// dropped: they are the slow ones.
func TestOpenLoopCountsRequestsInFlightAtTheEnd(t *testing.T) {
	r := loadgen.Run(context.Background(), loadgen.Options{Duration: 100 * time.Millisecond, Rate: 100}, func(ctx context.Context, w, i int) error {
		time.Sleep(300 * time.Millisecond)
		return nil
	})
	if r.Requests != 10 || r.P50 < 300*time.Millisecond {
		t.Errorf("%v: want all 10 requests, each at least 300 ms", r)
	}
}
