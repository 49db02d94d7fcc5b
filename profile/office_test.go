package profile

import (
	"context"
	"hash/fnv"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/importer"
	"github.com/aislehq/aisle/model/dataset/datasettest"
	"github.com/aislehq/aisle/text/analyze"
	"github.com/aislehq/aisle/text/extract"
	"github.com/google/go-cmp/cmp"
)

// officeSink is an importer.Store that keeps what it is given.
type officeSink struct {
	items  itemMap
	events []aisle.Event
}

func (s *officeSink) UpsertItems(_ context.Context, items []aisle.Item) (aisle.UpsertStats, error) {
	for _, it := range items {
		s.items[it.ID] = it
	}
	return aisle.UpsertStats{Inserted: len(items)}, nil
}

func (s *officeSink) UpsertUsers(context.Context, []aisle.User) (aisle.UpsertStats, error) {
	return aisle.UpsertStats{}, nil
}

func (s *officeSink) AppendEvents(_ context.Context, events []aisle.Event) (aisle.AppendStats, error) {
	for _, e := range events {
		e.Seq = int64(len(s.events) + 1)
		s.events = append(s.events, e)
	}
	return aisle.AppendStats{Accepted: len(events)}, nil
}

func (s *officeSink) UpsertQuestions(context.Context, []aisle.Question) (aisle.UpsertStats, error) {
	return aisle.UpsertStats{}, nil
}

func (s *officeSink) Items(_ context.Context, ids []string) (map[string]aisle.Item, error) {
	out := make(map[string]aisle.Item, len(ids))
	for _, id := range ids {
		if it, ok := s.items[id]; ok {
			out[id] = it
		}
	}
	return out, nil
}

// officeData is the Amazon Office catalog, with what the store would
// extract from each item's text, its events as the importer reads them,
// and a stand-in text vector per item.
type officeData struct {
	items   itemMap
	events  []aisle.Event
	vectors vecMap
}

// office returns the Office data, read once; it skips tb only when the
// shared data folder is absent.
func office(tb testing.TB) *officeData {
	tb.Helper()
	dir := filepath.Join(datasettest.SharedData(tb), "amazon-office")
	officeOnce.Do(func() {
		s := &officeSink{items: itemMap{}}
		if _, err := importer.Run(context.Background(), s, dir, importer.Options{Format: "lcrec"}, importer.Deps{}, nil); err != nil {
			officeErr = err
			return
		}
		all := make([]aisle.Item, 0, len(s.items))
		for _, it := range s.items {
			all = append(all, it)
		}
		ex := extract.New(extract.Learn(all))
		vecs := vecMap{}
		for id, it := range s.items {
			it.Extracted = ex.Extract(&it)
			s.items[id] = it
			vecs[id] = textVector(it.Title + " " + strings.Join(it.Categories, " "))
		}
		officeVal = &officeData{items: s.items, events: s.events, vectors: vecs}
	})
	if officeErr != nil {
		tb.Fatalf("import Office: %v", officeErr)
	}
	return officeVal
}

var (
	officeOnce sync.Once
	officeVal  *officeData
	officeErr  error
)

// vectorDim is the stand-in vectors' dimension, that of all-MiniLM-L6-v2.
const vectorDim = 384

// textVector is a stand-in for a text embedding: the item's words (lower
// case, stop words dropped) hashed into vectorDim buckets, unit length.
func textVector(text string) []float32 {
	v := make([]float32, vectorDim)
	for w := range strings.FieldsFuncSeq(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if analyze.IsStopWord(w) {
			continue
		}
		h := fnv.New32a()
		h.Write([]byte(w))
		v[h.Sum32()%vectorDim]++
	}
	n := float32(math.Sqrt(float64(dot(v, v))))
	for i := range v {
		v[i] /= n
	}
	return v
}

func dot(a, b []float32) float32 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// userEvents returns the Office events of user.
func (d *officeData) userEvents(user string) []aisle.Event {
	var out []aisle.Event
	for _, e := range d.events {
		if e.User == user {
			out = append(out, e)
		}
	}
	return out
}

// TestOfficeShoppers checks real shoppers' profiles after their events:
// each names the category and brand the shopper keeps coming back to (by
// hand from Office.inter.json and Office.item.json).
func TestOfficeShoppers(t *testing.T) {
	d := office(t)
	for _, tc := range []struct {
		user, category, brand string
	}{
		{"7", "Inkjet Printer Ink", "Canon"},
		{"43", "Fountain Pens", "Lamy"},
		{"60", "Transparent Tape", "Scotch"},
	} {
		t.Run(tc.user, func(t *testing.T) {
			b := New(Config{}, d.items, d.vectors, nil)
			events := d.userEvents(tc.user)
			if len(events) < 5 {
				t.Fatalf("%d events for shopper %s", len(events), tc.user)
			}
			b.Observe(events)
			v, ok := b.Profile(tc.user)
			if !ok {
				t.Fatal("no profile")
			}
			var leaf, brand string
			for _, tv := range v.Tags {
				if leaf == "" && tv.Kind == KindCategory && tv.Leaf {
					leaf = tv.Value
				}
				if brand == "" && tv.Kind == KindBrand {
					brand = tv.Value
				}
				if len(tv.Support) == 0 {
					t.Errorf("tag %s has no supporting events", tv.Tag)
				}
			}
			if leaf != tc.category || brand != tc.brand {
				t.Errorf("top leaf category %q and brand %q, want %q and %q", leaf, brand, tc.category, tc.brand)
			}
			en := Summary(v, "en")
			if !strings.HasPrefix(en, "Mostly "+tc.category) || !strings.Contains(en, tc.brand) {
				t.Errorf("summary %q does not name %s and %s first", en, tc.category, tc.brand)
			}
			zh := Summary(v, "zh")
			if !strings.HasPrefix(zh, "主要购买"+tc.category) || !strings.Contains(zh, "常选品牌"+tc.brand) {
				t.Errorf("summary %q does not name %s and %s first", zh, tc.category, tc.brand)
			}
			t.Logf("shopper %s: %s | %s", tc.user, en, zh)
		})
	}
}

// TestOfficeTwoInterests checks shopper 0 of Office, who bought three
// telephones and then two pens, gets one interest centre for each. The
// stand-in word vectors are sparser than a real embedding's (a cordless
// and a corded phone share few words), so the test joins a centre at a
// lower similarity than the default.
func TestOfficeTwoInterests(t *testing.T) {
	d := office(t)
	b := New(Config{CenterSimilarity: 0.3}, d.items, d.vectors, nil)
	b.Observe(d.userEvents("0"))
	v, _ := b.Profile("0")
	if len(v.Centers) != 2 {
		for _, c := range v.Centers {
			t.Logf("centre of weight %.2f: %v", c.Weight, c.Items)
		}
		t.Fatalf("%d centres, want 2", len(v.Centers))
	}
	var got [][]string
	for _, c := range v.Centers {
		var kinds []string
		for _, id := range c.Items {
			cats := d.items[id].Categories
			kinds = append(kinds, cats[len(cats)-2])
		}
		slices.Sort(kinds)
		got = append(got, slices.Compact(kinds))
	}
	if !slices.Equal(got[0], []string{"Telephones & Accessories"}) || !slices.Equal(got[1], []string{"Pens & Refills"}) {
		t.Errorf("centres hold %v, want telephones, then pens", got)
	}
}

// TestOfficeReplay replays the whole Office log, as a restart would, and
// round-trips the state through a snapshot; it logs the time, the memory
// and the snapshot's size (docs/BENCHMARKS.md).
func TestOfficeReplay(t *testing.T) {
	if testing.Short() {
		t.Skip("replays 53,258 events")
	}
	d := office(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b := New(Config{}, d.items, d.vectors, nil)
	start := time.Now()
	b.Observe(d.events)
	replay := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	start = time.Now()
	data, err := b.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	encode := time.Since(start)
	got := New(Config{}, d.items, d.vectors, nil)
	start = time.Now()
	if err := got.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	decode := time.Since(start)
	if got.Len() != b.Len() {
		t.Errorf("%d shoppers after the round trip, want %d", got.Len(), b.Len())
	}
	for _, u := range []string{"0", "7", "43", "4904"} {
		want, _ := b.Profile(u)
		have, _ := got.Profile(u)
		if d := cmp.Diff(have, want); d != "" {
			t.Errorf("shopper %s -got +want\n%s", u, d)
		}
	}
	t.Logf("%d events, %d shoppers: replay %v, heap %.0f MB; snapshot %.1f MB, encode %v, decode %v",
		len(d.events), b.Len(), replay.Round(time.Millisecond), float64(after.HeapAlloc-before.HeapAlloc)/(1<<20),
		float64(len(data))/(1<<20), encode.Round(time.Millisecond), decode.Round(time.Millisecond))
}

// BenchmarkObserve measures one event's update on the real Office events
// (every shopper's, in log order), with the items' extracted attributes
// and 384-dimensional vectors.
func BenchmarkObserve(b *testing.B) {
	d := office(b)
	p := New(Config{}, d.items, d.vectors, nil)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p.Observe(d.events[i : i+1])
		i++
		if i == len(d.events) {
			i = 0
		}
	}
}

// BenchmarkProfile measures reading one shopper's View, Summary included,
// after all the Office events, shoppers in turn.
func BenchmarkProfile(b *testing.B) {
	d := office(b)
	p := New(Config{}, d.items, d.vectors, nil)
	p.Observe(d.events)
	users := make([]string, 0, p.Len())
	for _, e := range d.events {
		if len(users) == 0 || users[len(users)-1] != e.User {
			users = append(users, e.User)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		v, _ := p.Profile(users[i%len(users)])
		_ = Summary(v, "en")
		i++
	}
}
