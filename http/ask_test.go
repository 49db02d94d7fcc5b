package http

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/importer"
	"github.com/aislehq/aisle/qa"
	"github.com/aislehq/aisle/store/sqlite"
	"github.com/aislehq/aisle/text/extract"
	"github.com/prometheus/client_golang/prometheus"
)

// Real data, read-only (see ../shared/data/README.md).
var (
	askOfficeDir   = filepath.Join("..", "..", "shared", "data", "amazon-office")
	askQADir       = filepath.Join("..", "..", "shared", "data", "amazon-qa-appliances")
	askClothingDir = filepath.Join("..", "..", "shared", "data", "clothing-images")
)

// newAskEnv is newEnv over a store that extracts attributes from item
// text with the vocabulary learnt from the Office catalog, as a served
// store does; it skips t when the catalog is absent.
func newAskEnv(t *testing.T, configure func(*Config, *fakeRecommender)) *testEnv {
	t.Helper()
	if _, err := os.Stat(askOfficeDir); err != nil {
		t.Skipf("data set not found at %s (see shared/data/README.md): %v", askOfficeDir, err)
	}
	items, err := importer.ReadItems(t.Context(), askOfficeDir, "")
	if err != nil {
		t.Fatal(err)
	}
	ex := extract.New(extract.Learn(items))
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "aisle.db"), ex.Extract, sqlite.Options{Synchronous: sqlite.SyncNormal})
	if err := db.Open(t.Context()); err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	cfg := DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	rec := &fakeRecommender{}
	if configure != nil {
		configure(&cfg, rec)
	}
	reg := prometheus.NewRegistry()
	srv := NewServer(db, rec, cfg, nil, reg, nil)
	if err := srv.Open(); err != nil {
		t.Fatalf("open server: %v", err)
	}
	base := http.DefaultTransport.(*http.Transport).Clone()
	spec := newSpecTransport(t, base)
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("close server: %v", err)
		}
		base.CloseIdleConnections()
	})
	return &testEnv{t: t, db: db, rec: rec, reg: reg, srv: srv, logs: &lockedBuffer{}, spec: spec, client: &http.Client{Transport: spec, Timeout: 30 * time.Second}}
}

// seedAsk stores two real Office items (103: Dixon Ticonderoga pencils,
// yellow, wood, box of 96; 95: a Mead binder), a disposal named by the
// Appliances Q&A with its real questions, and an item with no questions
// of its own. It skips t when the data sets are absent.
func (e *testEnv) seedAsk() {
	e.t.Helper()
	for _, dir := range []string{askOfficeDir, askQADir} {
		if _, err := os.Stat(dir); err != nil {
			e.t.Skipf("data set not found at %s (see shared/data/README.md): %v", dir, err)
		}
	}
	ctx := e.t.Context()
	items, err := importer.ReadItems(ctx, askOfficeDir, "")
	if err != nil {
		e.t.Fatal(err)
	}
	var keep []aisle.Item
	for _, it := range items {
		if it.ID == "95" || it.ID == "103" {
			keep = append(keep, it)
		}
	}
	keep = append(keep,
		aisle.Item{ID: "B00004U9JP", Title: "InSinkErator Badger 1 Garbage Disposal", Brand: "InSinkErator", Categories: []string{"Appliances", "Disposals"}},
		aisle.Item{ID: "new-disposal", Title: "Garbage Disposal, 1/3 HP", Categories: []string{"Appliances", "Disposals"}},
	)
	if _, err := e.db.UpsertItems(ctx, keep); err != nil {
		e.t.Fatal(err)
	}
	qs, err := importer.ReadQuestions(ctx, askQADir, "")
	if err != nil {
		e.t.Fatal(err)
	}
	qs = slices.DeleteFunc(qs, func(q aisle.Question) bool { return q.Item != "B00004U9JP" })
	if _, err := e.db.UpsertQuestions(ctx, qs); err != nil {
		e.t.Fatal(err)
	}
}

// askResponse is the body of a POST /v1/items/{id}/ask reply.
type askResponse struct {
	Answer     string      `json:"answer"`
	Type       string      `json:"answer_type"`
	Confidence float64     `json:"confidence"`
	Sources    []qa.Source `json:"sources"`
}

func TestAsk(t *testing.T) {
	e := newAskEnv(t, func(_ *Config, rec *fakeRecommender) {
		rec.similar = func(_ context.Context, item string, _ int) ([]aisle.Recommendation, error) {
			if item == "new-disposal" {
				return []aisle.Recommendation{{Item: "B00004U9JP"}}, nil
			}
			return nil, nil
		}
	})
	e.seedAsk()
	for _, tc := range []struct {
		item, question, lang string
		typ, contains        string
		source               qa.Source
	}{
		{"103", "What colour is it?", "", qa.TypeOpen, "yellow", qa.Source{Kind: qa.SourceFact, Field: "extracted.colors"}},
		{"103", "Are these black?", "en", qa.TypeNo, "yellow", qa.Source{Kind: qa.SourceFact, Field: "extracted.colors"}},
		{"103", "这是什么颜色？", "", qa.TypeOpen, "黄色", qa.Source{Kind: qa.SourceFact, Field: "extracted.colors"}},
		{"103", "What brand is it?", "zh", qa.TypeOpen, "品牌是Dixon Ticonderoga", qa.Source{Kind: qa.SourceFact, Field: "brand"}},
		{"103", "How many pencils are in the box?", "", qa.TypeOpen, "96", qa.Source{Kind: qa.SourceFact, Field: "extracted.pack_size"}},
		{"95", "Who makes it?", "", qa.TypeOpen, "Mead", qa.Source{Kind: qa.SourceFact, Field: "extracted.brand"}},
		{"B00004U9JP", "Does it come with a power cord?", "", qa.TypeNo, "does not come with a power cord", qa.Source{Kind: qa.SourceQuestion, ID: "B00004U9JP/4", Item: "B00004U9JP"}},
		{"new-disposal", "Does it come with a power cord?", "", qa.TypeNo, "similar item", qa.Source{Kind: qa.SourceQuestion, ID: "B00004U9JP/4", Item: "B00004U9JP"}},
	} {
		t.Run(tc.item+" "+tc.question, func(t *testing.T) {
			resp := e.expect(http.StatusOK, "POST", "/v1/items/"+tc.item+"/ask", map[string]string{"question": tc.question, "lang": tc.lang})
			got := decodeJSON[askResponse](t, resp.body)
			if got.Type != tc.typ || !strings.Contains(got.Answer, tc.contains) || !slices.Contains(got.Sources, tc.source) {
				t.Errorf("got %+v, want %s with %q from %+v", got, tc.typ, tc.contains, tc.source)
			}
		})
	}
	t.Run("unknown", func(t *testing.T) {
		resp := e.expect(http.StatusOK, "POST", "/v1/items/103/ask", `{"question":"Is it waterproof?"}`)
		got := decodeJSON[askResponse](t, resp.body)
		if got.Type != qa.TypeUnknown || got.Confidence != 0 || got.Sources == nil || len(got.Sources) != 0 {
			t.Errorf("got %+v (sources %#v), want unknown with empty sources", got, got.Sources)
		}
	})
}

func TestAskBadInput(t *testing.T) {
	e := newAskEnv(t, nil)
	e.seedAsk()
	for _, tc := range []struct {
		name, path string
		body       any
		status     int
		field      string
	}{
		{"empty question", "/v1/items/103/ask", `{"question":""}`, http.StatusBadRequest, "question"},
		{"missing question", "/v1/items/103/ask", `{"lang":"en"}`, http.StatusBadRequest, "question"},
		{"100 KB question", "/v1/items/103/ask", map[string]string{"question": strings.Repeat("is it red ", 10<<10)}, http.StatusBadRequest, "question"},
		{"bad lang", "/v1/items/103/ask", `{"question":"What colour?","lang":"fr"}`, http.StatusBadRequest, "lang"},
		{"question not a string", "/v1/items/103/ask", `{"question":3}`, http.StatusBadRequest, "question"},
		{"unknown field", "/v1/items/103/ask", `{"question":"What colour?","user":"u1"}`, http.StatusBadRequest, "user"},
		{"unknown item", "/v1/items/nope/ask", `{"question":"What colour?"}`, http.StatusNotFound, ""},
		{"caption of unknown item", "/v1/items/nope/caption", nil, http.StatusNotFound, ""},
		{"caption lang", "/v1/items/103/caption?lang=fr", nil, http.StatusBadRequest, "lang"},
		{"caption without photo", "/v1/items/103/caption", nil, http.StatusUnprocessableEntity, "visual"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method := "POST"
			if tc.body == nil {
				method = "GET"
			}
			resp := e.expect(tc.status, method, tc.path, tc.body)
			if d := apiError(t, resp); d.Field != tc.field {
				t.Errorf("error %+v, want field %q", d, tc.field)
			}
		})
	}
}

func TestAskPhotoAndCaption(t *testing.T) {
	rel := "test/dress/06a00c0f-5f9a-410d-a7da-3881a9df3a71.jpg"
	jpeg, err := os.ReadFile(filepath.Join(askClothingDir, rel))
	if err != nil {
		t.Skipf("clothing photos not found at %s (see shared/data/README.md): %v", askClothingDir, err)
	}
	e, _ := newPhotoEnv(t, nil)
	if _, err := e.db.UpsertItems(e.t.Context(), []aisle.Item{{ID: "dress-1", Title: "Summer dress", Categories: []string{"Clothing", "Dresses"}}}); err != nil {
		t.Fatal(err)
	}
	it := decodeJSON[aisle.Item](t, e.expect(http.StatusOK, "PUT", "/v1/items/dress-1/image", jpeg, "Content-Type", "image/jpeg").body)
	if it.Visual == nil || len(it.Visual.Colors) == 0 {
		t.Fatalf("visual %+v: no colours read", it.Visual)
	}
	got := decodeJSON[askResponse](t, e.expect(http.StatusOK, "POST", "/v1/items/dress-1/ask", `{"question":"What colour is it in the photo?"}`).body)
	if got.Type != qa.TypeOpen || !strings.Contains(got.Answer, it.Visual.Colors[0]) || !slices.Contains(got.Sources, qa.Source{Kind: qa.SourcePhoto, Field: "visual.colors"}) {
		t.Errorf("colour: got %+v, want the photo's colours %v", got, it.Visual.Colors)
	}
	got = decodeJSON[askResponse](t, e.expect(http.StatusOK, "POST", "/v1/items/dress-1/ask", `{"question":"这是连衣裙吗？"}`).body)
	if got.Type != qa.TypeYes || !strings.Contains(got.Answer, "是的") {
		t.Errorf("dress: got %+v, want yes", got)
	}
	for lang, want := range map[string]string{"en": "A photo of ", "zh": "一张"} {
		c := decodeJSON[qa.Caption](t, e.expect(http.StatusOK, "GET", "/v1/items/dress-1/caption?lang="+lang, nil).body)
		if !strings.HasPrefix(c.Caption, want) || c.Lang != lang || c.Mode != qa.ModeBuiltin || len(c.Sources) == 0 {
			t.Errorf("caption %s: %+v, want it to begin %q", lang, c, want)
		}
	}
}

// fixedAsker is an Asker that answers every question the same way.
type fixedAsker struct{ items []string }

func (f *fixedAsker) Ask(_ context.Context, it *aisle.Item, _, _ string) (qa.Answer, error) {
	f.items = append(f.items, it.ID)
	return qa.Answer{Answer: "From the model.", Type: qa.TypeOpen, Confidence: 0.5, Sources: []qa.Source{{Kind: qa.SourceVision}}}, nil
}

func (f *fixedAsker) Caption(_ context.Context, it *aisle.Item, lang string) (qa.Caption, error) {
	return qa.Caption{Caption: "A model caption.", Lang: "en", Mode: qa.ModeVision, Sources: []qa.Source{{Kind: qa.SourceVision}}}, nil
}

func TestSetAsker(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	f := &fixedAsker{}
	e.srv.SetAsker(f)
	got := decodeJSON[askResponse](t, e.expect(http.StatusOK, "POST", "/v1/items/pen-1/ask", `{"question":"Anything?"}`).body)
	c := decodeJSON[qa.Caption](t, e.expect(http.StatusOK, "GET", "/v1/items/pen-1/caption", nil).body)
	if got.Answer != "From the model." || c.Mode != qa.ModeVision || !slices.Equal(f.items, []string{"pen-1"}) {
		t.Errorf("got %+v and %+v, asked about %v; want the set Asker's", got, c, f.items)
	}
	// The request is checked before the Asker is called.
	e.expect(http.StatusBadRequest, "POST", "/v1/items/pen-1/ask", `{"question":""}`)
	e.srv.SetAsker(nil)
	got = decodeJSON[askResponse](t, e.expect(http.StatusOK, "POST", "/v1/items/pen-1/ask", `{"question":"What brand is it?"}`).body)
	if !strings.Contains(got.Answer, "Acme") {
		t.Errorf("after SetAsker(nil): %+v, want the built-in answer", got)
	}
}

// BenchmarkAskRoute measures POST /v1/items/{id}/ask through the real
// server and SQLite store, 8 clients at once, beside GET /healthz (no work)
// in the same run, and reports the median and 99th-percentile latencies:
// a fact question about an Office item, a question answered from the
// item's own Appliances Q&A, and one about an item without Q&A, which
// reads and searches that of 5 similar items (the default).
func BenchmarkAskRoute(b *testing.B) {
	for _, dir := range []string{askOfficeDir, askQADir} {
		if _, err := os.Stat(dir); err != nil {
			b.Skipf("data set not found at %s: %v", dir, err)
		}
	}
	ctx := b.Context()
	items, err := importer.ReadItems(ctx, askOfficeDir, "")
	if err != nil {
		b.Fatal(err)
	}
	ex := extract.New(extract.Learn(items))
	db := sqlite.NewDB(filepath.Join(b.TempDir(), "aisle.db"), ex.Extract, sqlite.Options{Synchronous: sqlite.SyncNormal})
	if err := db.Open(ctx); err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.UpsertItems(ctx, items); err != nil {
		b.Fatal(err)
	}
	qs, err := importer.ReadQuestions(ctx, askQADir, "")
	if err != nil {
		b.Fatal(err)
	}
	var asins []aisle.Item
	seen := map[string]bool{}
	for _, q := range qs {
		if !seen[q.Item] {
			seen[q.Item] = true
			asins = append(asins, aisle.Item{ID: q.Item, Title: "Appliance " + q.Item})
		}
	}
	if _, err := db.UpsertItems(ctx, asins); err != nil {
		b.Fatal(err)
	}
	if _, err := db.UpsertQuestions(ctx, qs); err != nil {
		b.Fatal(err)
	}
	rec := &fakeRecommender{similar: func(_ context.Context, item string, n int) ([]aisle.Recommendation, error) {
		var out []aisle.Recommendation
		for _, it := range asins[1 : n+1] {
			out = append(out, aisle.Recommendation{Item: it.ID})
		}
		return out, nil
	}}
	cfg := DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	srv := NewServer(db, rec, cfg, nil, nil, nil)
	if err := srv.Open(); err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 16
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	for _, bc := range []struct{ name, method, path, body string }{
		{"healthz", "GET", "/healthz", ""},
		{"fact", "POST", "/v1/items/103/ask", `{"question":"What colour is it?"}`},
		{"stored Q&A", "POST", "/v1/items/B00004U9JP/ask", `{"question":"Does it come with a power cord?"}`},
		{"similar items' Q&A", "POST", "/v1/items/95/ask", `{"question":"Does it come with a power cord?"}`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			const clients = 8
			var (
				mu   sync.Mutex
				lats []time.Duration
				wg   sync.WaitGroup
			)
			for c := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var mine []time.Duration
					for i := c; i < b.N; i += clients {
						req, _ := http.NewRequest(bc.method, srv.URL()+bc.path, strings.NewReader(bc.body))
						if bc.body != "" {
							req.Header.Set("Content-Type", "application/json")
						}
						st := time.Now()
						resp, err := client.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						mine = append(mine, time.Since(st))
						if resp.StatusCode != http.StatusOK {
							b.Errorf("%s: status %d", bc.path, resp.StatusCode)
							return
						}
					}
					mu.Lock()
					lats = append(lats, mine...)
					mu.Unlock()
				}()
			}
			wg.Wait()
			slices.Sort(lats)
			if len(lats) > 0 {
				b.ReportMetric(float64(lats[len(lats)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(lats[len(lats)*99/100].Microseconds())/1000, "p99-ms")
			}
		})
	}
}
