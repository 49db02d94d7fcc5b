package ngram

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aislehq/aisle/vector"
	"github.com/google/go-cmp/cmp"
)

// small is a configuration that keeps unit tests fast.
var small = Config{Dim: 16, Buckets: 1 << 10, Epochs: 3, BatchSize: 4}

// shop is a handful of hand-written product texts for unit tests (not
// real data), with pairs of texts that belong together.
var (
	shop = []string{
		"Blue ballpoint pen, medium point\nPilot\nWriting > Pens",
		"Black gel pen refill, 0.7 mm\nPilot\nWriting > Refills",
		"Heavy duty stapler, 40 sheets\nSwingline\nDesk Accessories > Staplers",
		"Standard staples, 5000 per box\nSwingline\nDesk Accessories > Staples",
		"Copy paper, letter size, 500 sheets\nHammermill\nPaper > Copy Paper",
		"Laser printer toner cartridge, black\nBrother\nPrinters > Toner",
		"Sticky notes, 3 x 3 in, yellow\nPost-it\nPaper > Notes",
		"Desk organizer with drawers\nDesk Accessories",
		"Wireless mouse",
		"黑色中性笔 0.5mm",
	}
	shopPairs = [][2]int32{{0, 1}, {2, 3}, {4, 5}, {6, 7}, {0, 6}, {2, 7}, {4, 6}, {1, 0}}
)

func features(f featurizer, text string) []uint32 {
	return f.appendFeatures(nil, text, &scratch{})
}

func TestFeatures(t *testing.T) {
	f := featurizerFor(Config{MinN: 3, MaxN: 5}.withDefaults())
	for _, tc := range []struct {
		name, text string
		want       int // number of features
		same       string
	}{
		{"empty", "", 0, ""},
		{"punctuation only", " ,.;!? \n\t", 0, ""},
		{"one word: word, 3-grams, 4-grams (the 5-gram is the whole word)", "pen", 1 + 3 + 2, ""},
		{"short word: the 3-gram is the whole word", "a", 1, ""},
		{"case and punctuation do not matter", "Blue  PEN!", 2 + 1 + (4 + 3 + 2) + (3 + 2), "blue pen"},
		{"NFKC folds full-width forms", "ＰＥＮ", 6, "pen"},
		{"CJK: characters and adjacent pairs", "黑色", 2 + 1, ""},
		{"CJK after a word: no pair across", "pen黑色", 6 + 2 + 1, ""},
		{"accents are letters", "café", 1 + 4 + 3 + 2, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := features(f, tc.text)
			if len(got) != tc.want {
				t.Errorf("%d features, want %d", len(got), tc.want)
			}
			if tc.same != "" {
				if diff := cmp.Diff(got, features(f, tc.same)); diff != "" {
					t.Errorf("features of %q and %q differ (-got +want):\n%s", tc.text, tc.same, diff)
				}
			}
			for _, b := range got {
				if uint64(b) >= f.buckets {
					t.Fatalf("row %d outside %d buckets", b, f.buckets)
				}
			}
		})
	}
}

// TestFeaturesStable pins the rows of one text: a saved model's table is
// indexed by them, so any change to normalisation or hashing breaks every
// saved model and needs a new format version.
func TestFeaturesStable(t *testing.T) {
	got := features(featurizerFor(Config{}.withDefaults()), "Blue pen 黑色")
	want := []uint32{
		0x12b4b, 0xef62, 0x1a968, 0x4cab, 0x1525f, 0x8c7d, 0x8539, 0x1102e, 0x28b5,
		0x1877e, 0x3132, 0x4adc, 0x11d74, 0xa9f4, 0x55fa, 0x1befe, 0x1ae98, 0x72f7,
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("feature rows changed (-got +want):\n%s", diff)
	}
}

func FuzzEncodeTo(f *testing.F) {
	for _, s := range shop {
		f.Add(s)
	}
	f.Add("")
	f.Add("\xff\xfe invalid UTF-8 \u0301\u0301 ｶﾀｶﾅ 한국어 ﬁ")
	m := New(small)
	f.Fuzz(func(t *testing.T, text string) {
		v, w := make([]float32, m.Dim()), make([]float32, m.Dim())
		m.EncodeTo(v, text)
		m.EncodeTo(w, text)
		if !slices.Equal(v, w) {
			t.Fatal("two encodings of the same text differ")
		}
		if n := vector.Dot(v, v); n != 0 && (n < 0.999 || n > 1.001) {
			t.Fatalf("squared length %v, want 0 or 1", n)
		}
	})
}

func TestFeaturesMaxWords(t *testing.T) {
	f := featurizerFor(Config{MaxWords: 2}.withDefaults())
	if diff := cmp.Diff(features(f, "blue gel pen refill"), features(f, "blue gel")); diff != "" {
		t.Errorf("words past MaxWords count (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(features(f, "黑色中性笔"), features(f, "黑色")); diff != "" {
		t.Errorf("CJK characters past MaxWords count (-got +want):\n%s", diff)
	}
}

func TestEncodeZeroVector(t *testing.T) {
	m := New(small)
	for _, text := range []string{"", "   ", "--- !!! ..."} {
		v, err := m.Encode(t.Context(), []string{text})
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(v[0], func(x float32) bool { return x != 0 }) {
			t.Errorf("Encode(%q) = %v, want the zero vector", text, v[0])
		}
	}
}

func TestEncodeUnitLength(t *testing.T) {
	m := New(small)
	long := strings.Repeat("very long description with many words ", 500)
	vecs, err := m.Encode(t.Context(), append(slices.Clone(shop), long, "ünïcödé", "x"))
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vecs {
		if len(v) != m.Dim() {
			t.Fatalf("vector %d has %d floats, want %d", i, len(v), m.Dim())
		}
		if n := vector.Dot(v, v); n < 0.999 || n > 1.001 {
			t.Errorf("vector %d has squared length %v, want 1", i, n)
		}
	}
}

func TestEncodeMatchesEncodeTo(t *testing.T) {
	m := New(Config{Dim: 16, Buckets: 1 << 10, Workers: 3})
	var texts []string
	for i := range 500 { // several chunks over several workers
		texts = append(texts, shop[i%len(shop)]+strings.Repeat(" more", i%7))
	}
	vecs, err := m.Encode(t.Context(), texts)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float32, m.Dim())
	for i, text := range texts {
		m.EncodeTo(want, text)
		if diff := cmp.Diff(vecs[i], want); diff != "" {
			t.Fatalf("Encode differs from EncodeTo for text %d (-got +want):\n%s", i, diff)
		}
	}
}

func TestEncodeCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := New(small).Encode(ctx, shop); !errors.Is(err, context.Canceled) {
		t.Errorf("Encode with a cancelled context: %v, want context.Canceled", err)
	}
}

func TestCJK(t *testing.T) {
	for _, m := range []*Model{New(Config{}), trainShop(t, small)} {
		vecs, err := m.Encode(t.Context(), []string{"黑色中性笔", "黑色签字笔", "stapler"})
		if err != nil {
			t.Fatal(err)
		}
		if vector.Dot(vecs[0], vecs[0]) == 0 {
			t.Fatal("黑色中性笔 has the zero vector")
		}
		if near, far := vector.Dot(vecs[0], vecs[1]), vector.Dot(vecs[0], vecs[2]); near <= far {
			t.Errorf("cos(黑色中性笔, 黑色签字笔) = %.3f, not above cos(黑色中性笔, stapler) = %.3f", near, far)
		}
	}
}

// trainShop trains a model on the hand-written shop corpus.
func trainShop(tb testing.TB, cfg Config) *Model {
	tb.Helper()
	m, err := Train(tb.Context(), Corpus{
		Texts:   shop,
		Pairs:   shopPairs,
		Queries: []QueryPair{{"pen", 0}, {"staples", 3}, {"toner", 5}},
	}, cfg, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func TestTrainDeterministic(t *testing.T) {
	marshal := func(workers int) []byte {
		cfg := small
		cfg.Workers = workers
		b, err := trainShop(t, cfg).MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	one := marshal(1)
	if !slices.Equal(one, marshal(1)) {
		t.Error("two runs with Workers 1 and the same seed give different models")
	}
	if !slices.Equal(one, marshal(3)) {
		t.Error("Workers 3 gives another model than Workers 1")
	}
	untrained, err := New(small).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(one, untrained) {
		t.Error("training left the table unchanged")
	}
	other := small
	other.Seed = 2
	b, err := New(other).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(b, untrained) {
		t.Error("seeds 0 and 2 give the same initial table")
	}
}

func TestTrainPullsPairsTogether(t *testing.T) {
	cfg := small
	cfg.Epochs = 30
	before, after := New(cfg), trainShop(t, cfg)
	mean := func(m *Model) float32 {
		vecs, err := m.Encode(t.Context(), shop)
		if err != nil {
			t.Fatal(err)
		}
		var s float32
		for _, p := range shopPairs {
			s += vector.Dot(vecs[p[0]], vecs[p[1]])
		}
		return s / float32(len(shopPairs))
	}
	if b, a := mean(before), mean(after); a <= b {
		t.Errorf("mean cosine of the training pairs %.3f after training, not above %.3f before", a, b)
	}
}

func TestTrainCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	calls := 0
	cfg := small
	cfg.Epochs = 1000
	_, err := Train(ctx, Corpus{Texts: shop, Pairs: shopPairs}, cfg, func(done, total int) {
		calls++
		if done == 1 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Train after cancel: %v, want context.Canceled", err)
	}
	if calls != 1 {
		t.Errorf("progress called %d times, want 1 (training went on after cancel)", calls)
	}
}

func TestTrainProgress(t *testing.T) {
	var last, total int
	_, err := Train(t.Context(), Corpus{Texts: shop, Pairs: shopPairs}, small, func(d, n int) {
		if d != last+1 {
			t.Errorf("progress %d after %d", d, last)
		}
		last, total = d, n
	})
	if err != nil {
		t.Fatal(err)
	}
	if last == 0 || last != total {
		t.Errorf("progress ended at %d of %d", last, total)
	}
}

func TestTrainErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Corpus
		cfg  Config
		want string
	}{
		{"pair out of range", Corpus{Texts: shop, Pairs: [][2]int32{{0, 99}}}, small, "pair 0 (0, 99): item out of range"},
		{"negative pair", Corpus{Texts: shop, Pairs: [][2]int32{{-1, 0}}}, small, "item out of range"},
		{"query out of range", Corpus{Texts: shop, Queries: []QueryPair{{"pen", 10}}}, small, "query 0: item 10 out of range"},
		{"nothing to train on", Corpus{Texts: []string{"pen"}}, small, "want at least 2"},
		{"negative dim", Corpus{Texts: shop}, Config{Dim: -1}, "dim -1"},
		{"n-grams reversed", Corpus{Texts: shop}, Config{MinN: 5, MaxN: 3}, "n-gram sizes 5..3"},
		{"bad temperature", Corpus{Texts: shop}, Config{Temperature: -1}, "temperature"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Train(t.Context(), tc.c, tc.cfg, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Train: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestAdd4MatchesGo(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 24, 31, 128, 131} {
		rows := make([][]float32, 5)
		for r := range rows {
			rows[r] = make([]float32, n)
			for i := range n {
				rows[r][i] = float32((r+1)*(i+3)%17) / 7
			}
		}
		got, want := slices.Clone(rows[0]), slices.Clone(rows[0])
		add4(got, rows[1], rows[2], rows[3], rows[4])
		add4Go(want, rows[1], rows[2], rows[3], rows[4])
		if diff := cmp.Diff(got, want); diff != "" {
			t.Errorf("n=%d: add4 differs from add4Go (-got +want):\n%s", n, diff)
		}
	}
}

func TestAxpyMatchesGo(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 24, 31, 128, 131} {
		x, y := make([]float32, n), make([]float32, n)
		for i := range n {
			x[i], y[i] = float32(i%13)/7, float32(i%5)/3
		}
		got, want := slices.Clone(y), slices.Clone(y)
		axpy(got, x, -0.37)
		axpyGo(want, x, -0.37)
		if diff := cmp.Diff(got, want); diff != "" {
			t.Errorf("n=%d: axpy differs from axpyGo (-got +want):\n%s", n, diff)
		}
	}
}
