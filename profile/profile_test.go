package profile

import (
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	stdcmp "cmp"

	"github.com/aislehq/aisle"

	"github.com/google/go-cmp/cmp"
)

// itemMap is an Items over a map.
type itemMap map[string]aisle.Item

func (m itemMap) Item(id string) (aisle.Item, bool) { it, ok := m[id]; return it, ok }

// vecMap is a Vectors over a map.
type vecMap map[string][]float32

func (m vecMap) Vector(id string) []float32 { return m[id] }

var t0 = time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)

func price(p float64) *float64 { return &p }

// catalog is a small office catalog.
var catalog = itemMap{
	"tape": {ID: "tape", Title: "Brother TZe label tape", Categories: []string{"Office", "Labels", "Label Tapes"},
		Extracted: &aisle.Extracted{Category: []string{"Office", "Labels", "Label Tapes"}, Brand: "Brother", Colors: []string{"black"}, Materials: []string{"plastic"}, Tags: []string{"tze", "laminated", "tape", "label"}},
		Price:     price(12)},
	"pen": {ID: "pen", Title: "Pilot G2 gel pen, black", Brand: "Pilot", Categories: []string{"Office", "Pens", "Gel Pens"},
		Extracted: &aisle.Extracted{Colors: []string{"black"}}, Price: price(2),
		Visual: &aisle.Visual{Ref: "p.jpg", Colors: []string{"black", "white", "grey", "blue"}, Category: []string{"Office", "Pens"}, CategoryScore: 0.8}},
	"paper": {ID: "paper", Title: "Copy paper", Brand: "HP", Categories: []string{"Office", "Paper", "Copy Paper"}, Price: price(40)},
	"ink":   {ID: "ink", Title: "Ink cartridge", Brand: "Epson", Categories: []string{"Office", "Ink"}},
}

func ev(user, item string, typ aisle.EventType, at time.Time) aisle.Event {
	return aisle.Event{User: user, Item: item, Type: typ, Time: at}
}

// weights returns the profile's tag weights by "kind:value".
func weights(t *testing.T, b *Builder, user string) map[string]float64 {
	t.Helper()
	v, ok := b.Profile(user)
	if !ok {
		t.Fatalf("no profile for %q", user)
	}
	m := make(map[string]float64)
	for _, tv := range v.Tags {
		m[tv.Tag.String()] = tv.Weight
	}
	return m
}

func TestParseTag(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Tag
		wantErr string
	}{
		{"brand:Brother", Tag{KindBrand, "Brother"}, ""},
		{"category:Pens & Refills", Tag{KindCategory, "Pens & Refills"}, ""},
		{"query:a:b", Tag{KindQuery, "a:b"}, ""},
		{"brand", Tag{}, "want kind:value"},
		{"shape:round", Tag{}, "unknown kind"},
		{"brand:", Tag{}, "value must be"},
		{"brand:" + strings.Repeat("x", MaxTagValueBytes+1), Tag{}, "value must be"},
	} {
		got, err := ParseTag(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseTag(%.20q) error %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseTag(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if got.String() != tc.in {
			t.Errorf("String() = %q, want %q", got.String(), tc.in)
		}
	}
}

func TestEventWeights(t *testing.T) {
	five, zero := 5.0, 0.0
	for _, tc := range []struct {
		name string
		cfg  Config
		e    aisle.Event
		want float64
	}{
		{"purchase", Config{}, aisle.Event{Type: aisle.EventPurchase}, 1},
		{"add_to_cart", Config{}, aisle.Event{Type: aisle.EventAddToCart}, 0.5},
		{"click", Config{}, aisle.Event{Type: aisle.EventClick}, 0.2},
		{"view", Config{}, aisle.Event{Type: aisle.EventView}, 0.1},
		{"search", Config{}, aisle.Event{Type: aisle.EventSearch, Query: "x"}, 0.3},
		{"rating 5", Config{}, aisle.Event{Type: aisle.EventRating, Value: &five}, 1},
		{"rating 0", Config{}, aisle.Event{Type: aisle.EventRating, Value: &zero}, 0},
		{"custom", Config{}, aisle.Event{Type: aisle.EventCustom, Name: "x"}, 0},
		{"configured view", Config{View: 0.4}, aisle.Event{Type: aisle.EventView}, 0.4},
		{"view turned off", Config{View: -1}, aisle.Event{Type: aisle.EventView}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg.withDefaults()
			if got := cfg.eventWeight(&tc.e); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("weight %v, want %v", got, tc.want)
			}
		})
	}
}

func TestItemTags(t *testing.T) {
	for _, tc := range []struct {
		name string
		item string
		want []weightedTag
	}{
		{"text attributes and every category level, once", "tape", []weightedTag{
			{Tag{KindCategory, "Office"}, 1, false},
			{Tag{KindCategory, "Labels"}, 1, false},
			{Tag{KindCategory, "Label Tapes"}, 1, true},
			{Tag{KindBrand, "Brother"}, 1, false},
			{Tag{KindColor, "black"}, 1, false},
			{Tag{KindMaterial, "plastic"}, 1, false},
			{Tag{KindKeyword, "tze"}, keywordShare, false},
			{Tag{KindKeyword, "laminated"}, keywordShare, false},
			{Tag{KindKeyword, "tape"}, keywordShare, false},
		}},
		{"brand field and photo attributes", "pen", []weightedTag{
			{Tag{KindCategory, "Office"}, 1, false},
			{Tag{KindCategory, "Pens"}, 1, false},
			{Tag{KindCategory, "Gel Pens"}, 1, true},
			{Tag{KindBrand, "Pilot"}, 1, false},
			{Tag{KindColor, "black"}, 1, false},
			{Tag{KindPhotoColor, "black"}, photoColorShare, false},
			{Tag{KindPhotoColor, "white"}, photoColorShare, false},
			{Tag{KindPhotoColor, "grey"}, photoColorShare, false},
			{Tag{KindPhotoCategory, "Office"}, 0.8, false},
			{Tag{KindPhotoCategory, "Pens"}, 0.8, true},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it := catalog[tc.item]
			got := itemTags(nil, &it)
			if d := cmp.Diff(got, tc.want, cmp.AllowUnexported(weightedTag{})); d != "" {
				t.Errorf("-got +want\n%s", d)
			}
		})
	}
}

func TestQueryTags(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"Black gel pens for the office", []string{"black", "gel", "pens", "office"}},
		{"  HL-L2340DW toner!! ", []string{"hl", "l2340dw", "toner"}},
		{"a pen a PEN", []string{"pen"}},
		{"黑色 中性笔", []string{"黑色", "中性笔"}},
		{"the of and", nil},
		{"1 2 3 4 5 6 7 8 9 10 11 12 13 14 15", []string{"10", "11", "12", "13", "14", "15"}},
		{"aa bb cc dd ee ff gg hh ii jj", []string{"aa", "bb", "cc", "dd", "ee", "ff", "gg", "hh"}},
	} {
		var got []string
		for _, wt := range queryTags(nil, tc.query) {
			if wt.tag.Kind != KindQuery {
				t.Errorf("%q: kind %q", tc.query, wt.tag.Kind)
			}
			got = append(got, wt.tag.Value)
		}
		if d := cmp.Diff(got, tc.want); d != "" {
			t.Errorf("queryTags(%q) -got +want\n%s", tc.query, d)
		}
	}
}

func TestObserveWeighsEventTypes(t *testing.T) {
	b := New(Config{}, catalog, nil, nil)
	b.Observe([]aisle.Event{
		ev("u", "tape", aisle.EventPurchase, t0),
		ev("u", "pen", aisle.EventView, t0),
		ev("u", "pen", aisle.EventClick, t0),
		ev("u", "paper", aisle.EventAddToCart, t0),
		{User: "u", Type: aisle.EventSearch, Query: "copy paper", Time: t0},
		{User: "u", Type: aisle.EventCustom, Name: "wishlist", Item: "ink", Time: t0},
		{User: "", Type: aisle.EventPurchase, Item: "ink", Time: t0},
		ev("u", "missing", aisle.EventPurchase, t0),
	})
	got := weights(t, b, "u")
	want := map[string]float64{
		"brand:Brother":       1,
		"brand:Pilot":         0.1 + 0.2,
		"brand:HP":            0.5,
		"category:Office":     1 + 0.3 + 0.5,
		"color:black":         1 + 0.3,
		"query:copy":          0.3,
		"query:paper":         0.3,
		"keyword:tze":         0.5,
		"photo_category:Pens": 0.3 * 0.8,
	}
	for tag, w := range want {
		if math.Abs(got[tag]-w) > 1e-9 {
			t.Errorf("%s weight %v, want %v", tag, got[tag], w)
		}
	}
	if _, ok := got["brand:Epson"]; ok {
		t.Error("a custom event added its item's tags")
	}
	if b.Len() != 1 {
		t.Errorf("%d shoppers, want 1", b.Len())
	}
	v, _ := b.Profile("u")
	if v.Events != 6 {
		t.Errorf("Events %d, want 6 (custom and user-less events skipped)", v.Events)
	}
	if !slices.IsSortedFunc(v.Tags, func(x, y TagView) int { return stdcmp.Compare(y.Weight, x.Weight) }) {
		t.Error("tags not heaviest first")
	}
}

func TestDecay(t *testing.T) {
	day := 24 * time.Hour
	for _, tc := range []struct {
		name   string
		events []aisle.Event
		want   map[string]float64
	}{
		{"one half-life halves", []aisle.Event{
			ev("u", "tape", aisle.EventPurchase, t0),
			ev("u", "pen", aisle.EventPurchase, t0.Add(14*day)),
		}, map[string]float64{"brand:Brother": 0.5, "brand:Pilot": 1, "category:Office": 1.5}},
		{"two half-lives quarter", []aisle.Event{
			ev("u", "tape", aisle.EventPurchase, t0),
			ev("u", "pen", aisle.EventPurchase, t0.Add(28*day)),
		}, map[string]float64{"brand:Brother": 0.25, "category:Office": 1.25}},
		{"out of order is the same", []aisle.Event{
			ev("u", "pen", aisle.EventPurchase, t0.Add(14*day)),
			ev("u", "tape", aisle.EventPurchase, t0),
		}, map[string]float64{"brand:Brother": 0.5, "brand:Pilot": 1, "category:Office": 1.5}},
		{"zero time is the latest", []aisle.Event{
			ev("u", "tape", aisle.EventPurchase, t0),
			ev("u", "pen", aisle.EventPurchase, time.Time{}),
		}, map[string]float64{"brand:Brother": 1, "brand:Pilot": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := New(Config{}, catalog, nil, nil)
			b.Observe(tc.events)
			got := weights(t, b, "u")
			for tag, w := range tc.want {
				if math.Abs(got[tag]-w) > 1e-9 {
					t.Errorf("%s weight %v, want %v", tag, got[tag], w)
				}
			}
		})
	}
	t.Run("configured half-life", func(t *testing.T) {
		b := New(Config{HalfLife: day}, catalog, nil, nil)
		b.Observe([]aisle.Event{ev("u", "tape", aisle.EventPurchase, t0), ev("u", "pen", aisle.EventPurchase, t0.Add(3*day))})
		if got := weights(t, b, "u")["brand:Brother"]; math.Abs(got-0.125) > 1e-9 {
			t.Errorf("weight %v, want 0.125", got)
		}
	})
}

func TestSupport(t *testing.T) {
	b := New(Config{MaxSupport: 2}, catalog, nil, nil)
	b.Observe([]aisle.Event{
		{ID: "e1", Seq: 1, User: "u", Item: "tape", Type: aisle.EventView, Time: t0},
		{ID: "e3", Seq: 3, User: "u", Item: "tape", Type: aisle.EventPurchase, Time: t0.Add(2 * time.Hour)},
		{ID: "e2", Seq: 2, User: "u", Item: "tape", Type: aisle.EventClick, Time: t0.Add(time.Hour)},
		{ID: "e0", Seq: 4, User: "u", Item: "tape", Type: aisle.EventClick, Time: t0.Add(-time.Hour)},
	})
	v, _ := b.Profile("u")
	var got []Support
	for _, tv := range v.Tags {
		if tv.Tag == (Tag{KindBrand, "Brother"}) {
			got = tv.Support
		}
	}
	want := []Support{
		{ID: "e3", Seq: 3, Type: aisle.EventPurchase, Item: "tape", Time: t0.Add(2 * time.Hour)},
		{ID: "e2", Seq: 2, Type: aisle.EventClick, Item: "tape", Time: t0.Add(time.Hour)},
	}
	if d := cmp.Diff(got, want); d != "" {
		t.Errorf("support -got +want\n%s", d)
	}
}

func TestBounds(t *testing.T) {
	items := itemMap{}
	var events []aisle.Event
	for i := range 10 {
		id := string(rune('a' + i))
		items[id] = aisle.Item{ID: id, Brand: "B" + id}
		events = append(events, ev("u", id, aisle.EventPurchase, t0.Add(time.Duration(i)*time.Hour)))
	}
	b := New(Config{MaxTags: 3, MaxItems: 2}, items, nil, nil)
	b.Observe(events)
	v, _ := b.Profile("u")
	var got []string
	for _, tv := range v.Tags {
		got = append(got, tv.Value)
	}
	if d := cmp.Diff(got, []string{"Bj", "Bi", "Bh"}); d != "" {
		t.Errorf("kept tags -got +want\n%s", d)
	}
	b.mu.RLock()
	n := len(b.shoppers["u"].items)
	b.mu.RUnlock()
	if n != 2 {
		t.Errorf("%d items kept, want 2", n)
	}
}

func TestPriceBand(t *testing.T) {
	b := New(Config{}, catalog, nil, nil)
	b.Observe([]aisle.Event{
		ev("u", "pen", aisle.EventPurchase, t0),
		ev("u", "pen", aisle.EventPurchase, t0),
		ev("u", "tape", aisle.EventPurchase, t0),
		ev("u", "tape", aisle.EventPurchase, t0),
		ev("u", "paper", aisle.EventView, t0),
		ev("u", "ink", aisle.EventPurchase, t0), // no price
	})
	v, _ := b.Profile("u")
	want := &PriceBand{Low: 2, Median: 12, High: 12}
	if d := cmp.Diff(v.Price, want); d != "" {
		t.Errorf("-got +want\n%s", d)
	}
	b2 := New(Config{}, catalog, nil, nil)
	b2.Observe([]aisle.Event{ev("u", "ink", aisle.EventPurchase, t0)})
	if v, _ := b2.Profile("u"); v.Price != nil {
		t.Errorf("price band %+v without prices", v.Price)
	}
}

func TestRegularDays(t *testing.T) {
	d := int64(24 * time.Hour)
	for _, tc := range []struct {
		name  string
		times []int64
		want  float64
	}{
		{"monthly", []int64{0, 30 * d, 61 * d, 90 * d}, 30},
		{"two only", []int64{0, 30 * d}, 0},
		{"irregular", []int64{0, 5 * d, 60 * d}, 0},
		{"same day", []int64{0, 1, 2}, 0},
		{"weekly", []int64{0, 7 * d, 14 * d}, 7},
	} {
		if got := regularDays(tc.times); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestSummary(t *testing.T) {
	month := 30 * 24 * time.Hour
	for _, tc := range []struct {
		name   string
		events []aisle.Event
		en, zh string
	}{
		{"empty", []aisle.Event{{User: "u", Type: aisle.EventSearch, Query: "the", Time: t0}},
			"No interests yet", "暂无兴趣偏好。"},
		{"labels and pens, paper monthly", []aisle.Event{
			ev("u", "tape", aisle.EventPurchase, t0),
			ev("u", "paper", aisle.EventPurchase, t0.Add(-2*month)),
			ev("u", "paper", aisle.EventPurchase, t0.Add(-month)),
			ev("u", "paper", aisle.EventPurchase, t0),
			ev("u", "tape", aisle.EventPurchase, t0),
			ev("u", "pen", aisle.EventPurchase, t0),
			ev("u", "tape", aisle.EventPurchase, t0),
		},
			"Mostly Label Tapes and Copy Paper; brands Brother and HP; colour black; buys Copy Paper monthly",
			"主要购买Label Tapes和Copy Paper；常选品牌Brother、HP；偏好颜色black；每月购买Copy Paper。"},
		{"searches only", []aisle.Event{{User: "u", Type: aisle.EventSearch, Query: "fountain pen ink", Time: t0}},
			"Searches for fountain, ink and pen", "常搜索fountain、ink、pen。"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := New(Config{}, catalog, nil, nil)
			b.Observe(tc.events)
			v, _ := b.Profile("u")
			if got := Summary(v, "en"); got != tc.en {
				t.Errorf("en: got %q\nwant %q", got, tc.en)
			}
			if got := Summary(v, "zh"); got != tc.zh {
				t.Errorf("zh: got %q\nwant %q", got, tc.zh)
			}
		})
	}
}

// groups are two clearly different item groups: printer ink near one
// axis, fountain pens near another.
func groups() (itemMap, vecMap) {
	items, vecs := itemMap{}, vecMap{}
	for i := range 4 {
		ink, pen := "ink"+string(rune('0'+i)), "pen"+string(rune('0'+i))
		items[ink] = aisle.Item{ID: ink, Categories: []string{"Ink"}}
		items[pen] = aisle.Item{ID: pen, Categories: []string{"Fountain Pens"}}
		e := float32(i) * 0.05
		vecs[ink] = []float32{1, e, 0, 0}
		vecs[pen] = []float32{0, 0, 1, e}
	}
	return items, vecs
}

func TestCentersTwoInterests(t *testing.T) {
	items, vecs := groups()
	b := New(Config{}, items, vecs, nil)
	var events []aisle.Event
	for i := range 4 {
		events = append(events,
			ev("u", "ink"+string(rune('0'+i)), aisle.EventPurchase, t0.Add(time.Duration(2*i)*time.Hour)),
			ev("u", "pen"+string(rune('0'+i)), aisle.EventPurchase, t0.Add(time.Duration(2*i+1)*time.Hour)))
	}
	b.Observe(events)
	v, _ := b.Profile("u")
	if len(v.Centers) != 2 {
		t.Fatalf("%d centres, want 2: %+v", len(v.Centers), v.Centers)
	}
	prefixes := map[string]bool{}
	for _, c := range v.Centers {
		if len(c.Items) != 3 {
			t.Errorf("centre has %d examples, want 3", len(c.Items))
		}
		p := c.Items[0][:3]
		prefixes[p] = true
		for _, id := range c.Items {
			if id[:3] != p {
				t.Errorf("centre mixes %v", c.Items)
			}
		}
	}
	if !prefixes["ink"] || !prefixes["pen"] {
		t.Errorf("centres %v, want one of ink and one of pens", prefixes)
	}
	if c := v.Centers[0]; cosine(c.Vector, []float32{1, 0, 0, 0}) < 0.9 && cosine(c.Vector, []float32{0, 0, 1, 0}) < 0.9 {
		t.Errorf("centre vector %v is not near either group", c.Vector)
	}
}

func TestCentersMergeOverLimit(t *testing.T) {
	vecs := vecMap{"a": {1, 0, 0}, "b": {0, 1, 0}, "c": {0, 0, 1}, "d": {0.1, 0, 1}}
	items := itemMap{"a": {ID: "a"}, "b": {ID: "b"}, "c": {ID: "c"}, "d": {ID: "d"}}
	b := New(Config{Centers: 2, CenterSimilarity: 0.999}, items, vecs, nil)
	b.Observe([]aisle.Event{ev("u", "a", aisle.EventPurchase, t0), ev("u", "b", aisle.EventPurchase, t0), ev("u", "c", aisle.EventPurchase, t0), ev("u", "d", aisle.EventPurchase, t0)})
	v, _ := b.Profile("u")
	if len(v.Centers) != 2 {
		t.Fatalf("%d centres, want 2", len(v.Centers))
	}
	var total float64
	for _, c := range v.Centers {
		total += c.Weight
	}
	if math.Abs(total-4) > 1e-9 {
		t.Errorf("centre weights sum to %v, want 4", total)
	}
}

func TestExclude(t *testing.T) {
	b := New(Config{}, catalog, nil, nil)
	b.Observe([]aisle.Event{ev("u", "tape", aisle.EventPurchase, t0)})
	if err := b.Exclude("u", "brand:Brother"); err != nil {
		t.Fatal(err)
	}
	if err := b.Exclude("u", "bogus"); err == nil {
		t.Error("Exclude of a malformed tag succeeded")
	}
	if err := b.Exclude("", "brand:Pilot"); err == nil {
		t.Error("Exclude for an empty user succeeded")
	}
	b.Observe([]aisle.Event{ev("u", "tape", aisle.EventPurchase, t0.Add(time.Hour))})
	got := weights(t, b, "u")
	if _, ok := got["brand:Brother"]; ok {
		t.Error("excluded tag came back")
	}
	if got["category:Labels"] == 0 {
		t.Error("other tags of the item are gone")
	}
	if d := cmp.Diff(b.Excluded("u"), []Tag{{KindBrand, "Brother"}}); d != "" {
		t.Errorf("Excluded -got +want\n%s", d)
	}
	// An exclusion before any event holds too.
	if err := b.Exclude("new", "color:black"); err != nil {
		t.Fatal(err)
	}
	b.Observe([]aisle.Event{ev("new", "pen", aisle.EventPurchase, t0)})
	if _, ok := weights(t, b, "new")["color:black"]; ok {
		t.Error("tag excluded before the first event appeared")
	}
}

func TestForget(t *testing.T) {
	b := New(Config{}, catalog, nil, nil)
	b.Observe([]aisle.Event{ev("u", "tape", aisle.EventPurchase, t0), ev("w", "pen", aisle.EventPurchase, t0)})
	_ = b.Exclude("u", "brand:Brother")
	b.Forget("u")
	if _, ok := b.Profile("u"); ok {
		t.Error("profile survived Forget")
	}
	if b.Excluded("u") != nil {
		t.Error("exclusions survived Forget")
	}
	if _, ok := b.Profile("w"); !ok {
		t.Error("Forget erased another shopper")
	}
	b.Observe([]aisle.Event{ev("u", "tape", aisle.EventPurchase, t0)})
	if _, ok := weights(t, b, "u")["brand:Brother"]; !ok {
		t.Error("a forgotten shopper's exclusion still applies")
	}
}

func TestConcurrentUse(t *testing.T) {
	items, vecs := groups()
	b := New(Config{}, items, vecs, nil)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range 200 {
				id := "ink0"
				if i%2 == 0 {
					id = "pen1"
				}
				b.Observe([]aisle.Event{ev(string(rune('a'+g)), id, aisle.EventClick, t0.Add(time.Duration(i)*time.Minute))})
			}
		}()
		go func() {
			defer wg.Done()
			for range 200 {
				if v, ok := b.Profile(string(rune('a' + g))); ok {
					_ = Summary(v, "en")
				}
				_, _ = b.MarshalBinary()
			}
		}()
	}
	wg.Wait()
	if b.Len() != 4 {
		t.Errorf("%d shoppers, want 4", b.Len())
	}
}
