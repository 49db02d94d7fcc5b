package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/aislehq/aisle/internal/loadgen"
	"github.com/aislehq/aisle/store/sqlite"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestWrite(t *testing.T) {
	var res results
	res.add("GET /healthz p50", "ms", 3, 1, 2)
	res.add("import", "s", 7)
	var table bytes.Buffer
	if err := Write(&table, res, false); err != nil {
		t.Fatal(err)
	}
	want := "| measurement | median | unit | runs |\n|---|---|---|---|\n| GET /healthz p50 | 2 | ms | 3, 1, 2 |\n| import | 7 | s | 7 |\n"
	if diff := cmp.Diff(table.String(), want); diff != "" {
		t.Errorf("table (-got +want):\n%s", diff)
	}
	var js bytes.Buffer
	if err := Write(&js, res, true); err != nil {
		t.Fatal(err)
	}
	var got []Result
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, []Result(res)); diff != "" {
		t.Errorf("JSON (-got +want):\n%s", diff)
	}
}

func TestDrawUsersIsDeterministic(t *testing.T) {
	users := []string{"a", "b", "c"}
	a, b, c := drawUsers(users, 1, 1), drawUsers(users, 1, 1), drawUsers(users, 2, 1)
	if len(a) != 1<<16 || !cmp.Equal(a, b) || cmp.Equal(a, c) {
		t.Error("the same seeds do not draw the same users, or other seeds do")
	}
}

func TestPhaseErr(t *testing.T) {
	first := errors.New("boom")
	tests := []struct {
		r    loadgen.Result
		want string
	}{
		{loadgen.Result{Requests: 10}, ""},
		{loadgen.Result{}, "x phase completed no request"},
		{loadgen.Result{Requests: 10, Errors: 2, FirstError: first}, "x phase: 2 of 10 requests failed, first: boom"},
	}
	for _, tt := range tests {
		err := phaseErr("x", tt.r)
		if got := ""; err != nil {
			got = err.Error()
			if got != tt.want {
				t.Errorf("phaseErr = %q, want %q", got, tt.want)
			}
		} else if tt.want != "" {
			t.Errorf("phaseErr = nil, want %q", tt.want)
		}
	}
}

func TestInBatches(t *testing.T) {
	seq := func(yield func(int) bool) {
		for i := range synthBatch*2 + 3 {
			if !yield(i) {
				return
			}
		}
	}
	var sizes []int
	if err := inBatches(seq, func(b []int) error { sizes = append(sizes, len(b)); return nil }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sizes, []int{synthBatch, synthBatch, 3}); diff != "" {
		t.Errorf("batches (-got +want):\n%s", diff)
	}
}

// fakeServer is a Harness.Serve that answers every request with 200 and
// counts them.
type fakeServer struct{ requests atomic.Int64 }

func (f *fakeServer) serve(ctx context.Context, started func(string)) error {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		io.Copy(io.Discard, r.Body)
	}))
	started(srv.URL)
	<-ctx.Done()
	srv.Close()
	return nil
}

func testHarness(t *testing.T) (Harness, *fakeServer, *bool) {
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "aisle.db"), nil, sqlite.Options{Synchronous: sqlite.SyncNormal})
	if err := db.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	srv, trained := &fakeServer{}, false
	return Harness{
		Store: db,
		Serve: srv.serve,
		Train: func(ctx context.Context, out io.Writer) error {
			trained = true
			io.WriteString(out, "trained\n")
			return nil
		},
	}, srv, &trained
}

func TestRunSynthetic(t *testing.T) {
	h, srv, trained := testHarness(t)
	var log bytes.Buffer
	h.Log = &log
	cfg := Config{Duration: 50 * time.Millisecond, Concurrency: 2, Runs: 2, SyntheticItems: 200, SyntheticEvents: 2000}
	res, err := Run(context.Background(), h, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !*trained || srv.requests.Load() == 0 {
		t.Errorf("trained %v, %d requests served", *trained, srv.requests.Load())
	}
	var names []string
	for _, r := range res {
		names = append(names, r.Name)
		if r.Name == "GET /v1/recommend/{user} p50 (2 clients)" && len(r.Runs) != 2 {
			t.Errorf("%s: %d runs, want 2", r.Name, len(r.Runs))
		}
	}
	for _, want := range []string{"synthetic: store 200 items", "synthetic: event ingestion rate", "train and save the model set (one process)",
		"GET /v1/recommend/{user} p50 (2 clients)", "GET /v1/items/{id}/similar throughput", "peak RSS at the end"} {
		if !strings.Contains(strings.Join(names, "\n"), want) {
			t.Errorf("results lack %q:\n%s", want, strings.Join(names, "\n"))
		}
	}
	if !strings.Contains(log.String(), "bench: writing 200 synthetic items and 2000 events") || !strings.Contains(log.String(), "trained") {
		t.Errorf("log:\n%s", log.String())
	}
}

func TestRunServerFails(t *testing.T) {
	h, _, _ := testHarness(t)
	h.Serve = func(ctx context.Context, started func(string)) error { return errors.New("port taken") }
	_, err := Run(context.Background(), h, Config{Duration: time.Millisecond, Runs: 1, SyntheticItems: 10, SyntheticEvents: 10}, nil)
	if err == nil || !strings.Contains(err.Error(), "start server: port taken") {
		t.Errorf("got %v, want the server's error", err)
	}
}

func TestWhileTraining(t *testing.T) {
	if _, err := exec.LookPath("sleep"); err != nil {
		t.Skip(err)
	}
	h := Harness{TrainProcess: func(ctx context.Context) (*exec.Cmd, error) { return exec.CommandContext(ctx, "sleep", "0.2"), nil }}
	phases := 0
	secs, err := whileTraining(context.Background(), h, func(r int) error {
		phases++
		time.Sleep(20 * time.Millisecond)
		return nil
	})
	if err != nil || phases == 0 || secs < 0.2 {
		t.Errorf("whileTraining = %v, %v after %d phases", secs, err, phases)
	}
	stop := errors.New("phase failed")
	h.TrainProcess = func(ctx context.Context) (*exec.Cmd, error) { return exec.CommandContext(ctx, "sleep", "10"), nil }
	start := time.Now()
	if _, err := whileTraining(context.Background(), h, func(r int) error { return stop }); !errors.Is(err, stop) || time.Since(start) > 5*time.Second {
		t.Errorf("a failed phase: %v after %s, want its error at once", err, time.Since(start))
	}
}
