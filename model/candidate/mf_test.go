package candidate_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/model/candidate"
	"github.com/aislehq/aisle/model/dataset"
)

// mfTwoGroups returns a dataset whose first half of users touch only items
// [0, nItems/2) and second half only the rest.
func mfTwoGroups(nUsers, nItems, perUser int, seed uint64) *dataset.Dataset {
	rng := rand.New(rand.NewPCG(seed, 1))
	d := &dataset.Dataset{Items: make([]string, nItems), Users: make([]string, nUsers), Seqs: make([][]int32, nUsers)}
	half := nItems / 2
	for u := range nUsers {
		base := 0
		if u >= nUsers/2 {
			base = half
		}
		for range perUser {
			d.Seqs[u] = append(d.Seqs[u], int32(base+rng.IntN(half)))
		}
	}
	return d
}

func TestMFRanksOwnGroupFirst(t *testing.T) {
	d := mfTwoGroups(40, 20, 6, 1)
	m, err := candidate.TrainMF(context.Background(), d, candidate.MFConfig{Factors: 4, Iterations: 10, Seed: 7}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		history  []int32
		own, off [2]int // item ranges [lo, hi)
	}{
		{"group A", []int32{0, 3, 3}, [2]int{0, 10}, [2]int{10, 20}},
		{"group B", []int32{12, 19}, [2]int{10, 20}, [2]int{0, 10}},
		{"new user one item", []int32{5}, [2]int{0, 10}, [2]int{10, 20}},
		{"ignores out of range", []int32{-1, 15, 99}, [2]int{10, 20}, [2]int{0, 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scores := make([]float32, m.NumItems())
			m.Score(tt.history, scores)
			minOwn, maxOff := float32(math.Inf(1)), float32(math.Inf(-1))
			for i := tt.own[0]; i < tt.own[1]; i++ {
				minOwn = min(minOwn, scores[i])
			}
			for i := tt.off[0]; i < tt.off[1]; i++ {
				maxOff = max(maxOff, scores[i])
			}
			if !(minOwn > maxOff) {
				t.Errorf("lowest own-group score %v ≤ highest other-group score %v; scores %v", minOwn, maxOff, scores)
			}
		})
	}

	t.Run("empty history", func(t *testing.T) {
		scores := make([]float32, m.NumItems())
		m.Score(nil, scores)
		for i, s := range scores {
			if s != 0 {
				t.Fatalf("score[%d] = %v, want 0", i, s)
			}
		}
	})
}

func TestMFFoldInOrderAndRepeats(t *testing.T) {
	d := mfTwoGroups(30, 16, 5, 3)
	m, err := candidate.TrainMF(context.Background(), d, candidate.MFConfig{Factors: 6, Iterations: 5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := m.FoldIn([]int32{1, 2, 2}, nil)
	b := m.FoldIn([]int32{2, 1, 2}, make([]float32, 3))
	if len(a) != m.Factors() || !slices32Equal(a, b) {
		t.Errorf("fold-in depends on history order: %v vs %v", a, b)
	}
	if c := m.FoldIn([]int32{1, 2}, nil); slices32Equal(a, c) {
		t.Errorf("repeating an item did not change the fold-in: %v", a)
	}
	// Score is the fold-in's dot product with every item vector.
	scores := make([]float32, m.NumItems())
	m.Score([]int32{1, 2, 2}, scores)
	for i, s := range scores {
		var want float32
		for l, v := range m.ItemFactor(i) {
			want += v * a[l]
		}
		if math.Abs(float64(s-want)) > 1e-5 {
			t.Errorf("score[%d] = %v, want %v", i, s, want)
		}
	}
}

func TestMFScoreConcurrent(t *testing.T) {
	d := mfTwoGroups(60, 40, 6, 11)
	m, err := candidate.TrainMF(context.Background(), d, candidate.MFConfig{Factors: 8, Iterations: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := make([][]float32, len(d.Seqs))
	for u, h := range d.Seqs {
		want[u] = make([]float32, m.NumItems())
		m.Score(h, want[u])
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			scores := make([]float32, m.NumItems())
			for u := g; u < len(d.Seqs); u += 2 {
				m.Score(d.Seqs[u], scores)
				if !slices32Equal(scores, want[u]) {
					t.Errorf("user %d: concurrent scores differ", u)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestMFEmptyDataset(t *testing.T) {
	tests := []struct {
		name string
		d    *dataset.Dataset
	}{
		{"no users or items", &dataset.Dataset{}},
		{"items without users", &dataset.Dataset{Items: []string{"a", "b"}}},
		{"users without interactions", &dataset.Dataset{Items: []string{"a"}, Users: []string{"u"}, Seqs: [][]int32{nil}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := candidate.TrainMF(context.Background(), tt.d, candidate.MFConfig{Factors: 4, Iterations: 2}, func(int, float64) {})
			if err != nil {
				t.Fatal(err)
			}
			scores := make([]float32, tt.d.NumItems())
			m.Score([]int32{0}, scores)
			for i, s := range scores {
				if s != 0 {
					t.Errorf("score[%d] = %v, want 0", i, s)
				}
			}
		})
	}
}

func slices32Equal(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestMFDeterministic(t *testing.T) {
	d := mfTwoGroups(700, 60, 8, 2) // several worker chunks
	train := func(cfg candidate.MFConfig) []byte {
		t.Helper()
		m, err := candidate.TrainMF(context.Background(), d, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name string
		cfg  candidate.MFConfig
	}{
		{"cg", candidate.MFConfig{Factors: 8, Iterations: 3, Seed: 5}},
		{"cholesky", candidate.MFConfig{Factors: 8, Iterations: 3, Seed: 5, CGSteps: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			one, two, four := tt.cfg, tt.cfg, tt.cfg
			one.Workers, two.Workers, four.Workers = 1, 2, 4
			b1 := train(one)
			if !bytes.Equal(b1, train(two)) || !bytes.Equal(b1, train(four)) {
				t.Error("factors differ between 1, 2 and 4 workers")
			}
			if !bytes.Equal(b1, train(one)) {
				t.Error("factors differ between runs with the same seed")
			}
			other := one
			other.Seed++
			if bytes.Equal(b1, train(other)) {
				t.Error("factors identical for different seeds")
			}
		})
	}
}

func TestMFProgressAndCancel(t *testing.T) {
	d := mfTwoGroups(200, 40, 6, 4)
	var losses []float64
	_, err := candidate.TrainMF(context.Background(), d, candidate.MFConfig{Factors: 8, Iterations: 6}, func(it int, loss float64) {
		if it != len(losses)+1 {
			t.Errorf("progress iteration %d after %d calls", it, len(losses))
		}
		losses = append(losses, loss)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(losses) != 6 {
		t.Fatalf("progress called %d times, want 6", len(losses))
	}
	if !(losses[5] < losses[0]) || losses[5] <= 0 {
		t.Errorf("loss did not fall: %v", losses)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := candidate.TrainMF(ctx, d, candidate.MFConfig{}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled training: err = %v, want context.Canceled", err)
	}
}

func TestMFConfigErrors(t *testing.T) {
	d := mfTwoGroups(4, 4, 2, 1)
	tests := []struct {
		name string
		cfg  candidate.MFConfig
	}{
		{"negative factors", candidate.MFConfig{Factors: -1}},
		{"too many factors", candidate.MFConfig{Factors: candidate.MFMaxFactors + 1}},
		{"negative iterations", candidate.MFConfig{Iterations: -1}},
		{"negative reg", candidate.MFConfig{Reg: -1}},
		{"nan alpha", candidate.MFConfig{Alpha: math.NaN()}},
		{"negative workers", candidate.MFConfig{Workers: -2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := candidate.TrainMF(context.Background(), d, tt.cfg, nil); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestMFMarshalRoundTrip(t *testing.T) {
	d := mfTwoGroups(50, 30, 5, 6)
	m, err := candidate.TrainMF(context.Background(), d, candidate.MFConfig{Factors: 5, Iterations: 4}, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got candidate.MF
	if err := got.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if got.Factors() != m.Factors() || got.NumItems() != m.NumItems() {
		t.Fatalf("dims %d×%d, want %d×%d", got.NumItems(), got.Factors(), m.NumItems(), m.Factors())
	}
	for _, h := range [][]int32{nil, {0}, {1, 1, 29}, {20, 21, 22, 2}} {
		want, have := make([]float32, m.NumItems()), make([]float32, m.NumItems())
		m.Score(h, want)
		got.Score(h, have)
		if !slices32Equal(want, have) {
			t.Errorf("history %v: scores differ after round trip", h)
		}
	}
	again, _ := got.MarshalBinary()
	if !bytes.Equal(data, again) {
		t.Error("re-encoding differs")
	}
}

func TestMFUnmarshalRejectsCorruptData(t *testing.T) {
	d := mfTwoGroups(20, 10, 4, 8)
	m, err := candidate.TrainMF(context.Background(), d, candidate.MFConfig{Factors: 3, Iterations: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	good, _ := m.MarshalBinary()
	// resum recomputes the trailing checksum, so that field checks are hit.
	resum := func(b []byte) []byte {
		binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
		return b
	}
	edit := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"header only", good[:36]},
		{"truncated by one", good[:len(good)-1]},
		{"truncated mid-factors", good[:len(good)/2]},
		{"extra byte", append(bytes.Clone(good), 0)},
		{"bad magic", edit(func(b []byte) []byte { b[0] = 'X'; return resum(b) })},
		{"future version", edit(func(b []byte) []byte { b[8] = 2; return resum(b) })},
		{"zero factors", edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[12:], 0); return resum(b) })},
		{"huge factors", edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[12:], 1<<31); return resum(b) })},
		{"huge items", edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[16:], math.MaxUint32); return resum(b) })},
		{"flipped factor bit", edit(func(b []byte) []byte { b[50] ^= 1; return b })},
		{"flipped checksum bit", edit(func(b []byte) []byte { b[len(b)-1] ^= 0x80; return b })},
		{"negative reg", edit(func(b []byte) []byte {
			binary.LittleEndian.PutUint64(b[20:], math.Float64bits(-1))
			return resum(b)
		})},
		{"nan factor", edit(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[36:], math.Float32bits(float32(math.NaN())))
			return resum(b)
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got candidate.MF
			err := got.UnmarshalBinary(tt.data)
			if !errors.Is(err, candidate.ErrMFFormat) {
				t.Errorf("err = %v, want ErrMFFormat", err)
			}
		})
	}
}

func FuzzMFUnmarshal(f *testing.F) {
	m, err := candidate.TrainMF(context.Background(), mfTwoGroups(10, 6, 3, 9), candidate.MFConfig{Factors: 2, Iterations: 1}, nil)
	if err != nil {
		f.Fatal(err)
	}
	good, _ := m.MarshalBinary()
	f.Add(good)
	f.Add(good[:40])
	f.Add([]byte("AISLEMF\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m candidate.MF
		if err := m.UnmarshalBinary(data); err != nil {
			return
		}
		again, err := m.MarshalBinary()
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("accepted data does not re-encode identically (err %v)", err)
		}
		m.Score([]int32{0, 1}, make([]float32, m.NumItems()))
	})
}

// mfBeautyPath is the Amazon Beauty sequence file: "user item item ..." per
// line, items in time order.
const mfBeautyPath = "/work/shared/data/amazon-beauty/Beauty.txt"

// mfLoadBeauty reads the Beauty dataset, skipping the test if it is absent.
func mfLoadBeauty(tb testing.TB) *dataset.Dataset {
	tb.Helper()
	f, err := os.Open(mfBeautyPath)
	if errors.Is(err, os.ErrNotExist) {
		tb.Skipf("%s not present", mfBeautyPath)
	}
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var events []aisle.Event
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		for pos, item := range fields[1:] {
			events = append(events, aisle.Event{
				User: fields[0], Item: item, Type: aisle.EventPurchase,
				Time: time.Unix(int64(pos), 0), Seq: int64(len(events) + 1),
			})
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	d, err := dataset.FromEvents(func(yield func(aisle.Event, error) bool) {
		for _, e := range events {
			if !yield(e, nil) {
				return
			}
		}
	}, dataset.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// mfScorer is what mfEvaluate ranks with.
type mfScorer interface {
	Score(history []int32, scores []float32)
}

// mfEvaluate returns NDCG@10 and HR@10 over cases with full ranking over
// all items, each case's history excluded, and pessimistic ties.
func mfEvaluate(s mfScorer, nItems int, cases []dataset.Case) (ndcg, hr float64) {
	gains := make([]float64, len(cases))
	hits := make([]float64, len(cases))
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Go(func() {
			scores := make([]float32, nItems)
			seen := make([]bool, nItems)
			for c := w; c < len(cases); c += workers {
				cs := cases[c]
				s.Score(cs.History, scores)
				for _, i := range cs.History {
					seen[i] = true
				}
				target := scores[cs.Target]
				rank := 0
				for i, v := range scores {
					if seen[i] || int32(i) == cs.Target {
						continue
					}
					if v >= target {
						rank++
					}
				}
				for _, i := range cs.History {
					seen[i] = false
				}
				if rank < 10 {
					gains[c] = 1 / math.Log2(float64(rank)+2)
					hits[c] = 1
				}
			}
		})
	}
	wg.Wait()
	for c := range cases {
		ndcg += gains[c]
		hr += hits[c]
	}
	n := float64(max(len(cases), 1))
	return ndcg / n, hr / n
}

// mfBeautyMinNDCG is the validation NDCG@10 the default config must reach
// on Beauty: measured 0.0460 (HR@10 0.0835) on amd64, less a margin for
// platforms that round differently (arm64 fuses multiply-adds).
const mfBeautyMinNDCG = 0.044

func TestMFBeauty(t *testing.T) {
	if testing.Short() {
		t.Skip("real-data test skipped in -short mode")
	}
	if mfRaceEnabled {
		t.Skip("real-data test too slow under -race")
	}
	d := mfLoadBeauty(t)
	split := dataset.LeaveOneOut(d)
	start := time.Now()
	m, err := candidate.TrainMF(context.Background(), split.Train, candidate.MFConfig{}, func(it int, loss float64) {
		t.Logf("iteration %d: loss %.5f (%v)", it, loss, time.Since(start).Round(time.Millisecond))
	})
	if err != nil {
		t.Fatal(err)
	}
	trainTime := time.Since(start)
	start = time.Now()
	ndcg, hr := mfEvaluate(m, d.NumItems(), split.Valid)
	t.Logf("Beauty validation (%d cases): NDCG@10 %.4f HR@10 %.4f; train %v, eval %v",
		len(split.Valid), ndcg, hr, trainTime.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	if ndcg < mfBeautyMinNDCG {
		t.Errorf("validation NDCG@10 %.4f < %.4f", ndcg, mfBeautyMinNDCG)
	}
}

// TestMFTuneBeauty sweeps hyperparameters on Beauty validation cases. It
// runs only when AISLE_MF_TUNE lists configs, each written
// factors,iterations,reg,alpha[,cgsteps], e.g.
//
//	AISLE_MF_TUNE='128,10,20,60 192,10,20,60,2' go test ./recall -run MFTune -v
func TestMFTuneBeauty(t *testing.T) {
	spec := os.Getenv("AISLE_MF_TUNE")
	if spec == "" {
		t.Skip("set AISLE_MF_TUNE to sweep MF hyperparameters on Beauty")
	}
	d := mfLoadBeauty(t)
	split := dataset.LeaveOneOut(d)
	for _, c := range strings.Fields(spec) {
		cfg, err := mfParseConfig(c)
		if err != nil {
			t.Fatalf("AISLE_MF_TUNE config %q: %v", c, err)
		}
		start := time.Now()
		m, err := candidate.TrainMF(context.Background(), split.Train, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		train := time.Since(start)
		ndcg, hr := mfEvaluate(m, d.NumItems(), split.Valid)
		t.Logf("config %-20s NDCG@10 %.4f HR@10 %.4f train %v", c, ndcg, hr, train.Round(time.Millisecond))
	}
}

// mfParseConfig parses "factors,iterations,reg,alpha[,cgsteps]".
func mfParseConfig(s string) (candidate.MFConfig, error) {
	var cfg candidate.MFConfig
	f := strings.Split(s, ",")
	if len(f) != 4 && len(f) != 5 {
		return cfg, fmt.Errorf("want 4 or 5 comma-separated fields, got %d", len(f))
	}
	var err error
	ints := []*int{&cfg.Factors, &cfg.Iterations}
	for i, p := range ints {
		if *p, err = strconv.Atoi(f[i]); err != nil {
			return cfg, err
		}
	}
	if cfg.Reg, err = strconv.ParseFloat(f[2], 64); err != nil {
		return cfg, err
	}
	if cfg.Alpha, err = strconv.ParseFloat(f[3], 64); err != nil {
		return cfg, err
	}
	if len(f) == 5 {
		if cfg.CGSteps, err = strconv.Atoi(f[4]); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

func BenchmarkMFScore(b *testing.B) {
	const nItems = 12101
	d := mfTwoGroups(2000, nItems, 10, 10)
	m, err := candidate.TrainMF(context.Background(), d, candidate.MFConfig{Iterations: 1}, nil)
	if err != nil {
		b.Fatal(err)
	}
	history := d.Seqs[0]
	scores := make([]float32, nItems)
	b.ReportAllocs()
	for b.Loop() {
		m.Score(history, scores)
	}
}

// BenchmarkMFTrainIterationBeauty times one ALS iteration (users and items)
// on Beauty's training split with the default factors, plus setup.
func BenchmarkMFTrainIterationBeauty(b *testing.B) {
	split := dataset.LeaveOneOut(mfLoadBeauty(b))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := candidate.TrainMF(context.Background(), split.Train, candidate.MFConfig{Iterations: 1}, nil); err != nil {
			b.Fatal(err)
		}
	}
}
