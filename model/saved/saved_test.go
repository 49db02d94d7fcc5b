package saved_test

import (
	"bytes"
	"encoding"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aislehq/aisle/internal/synth"
	"github.com/aislehq/aisle/model/candidate"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/fusion"
	"github.com/aislehq/aisle/model/saved"
	"github.com/aislehq/aisle/text/ngram"
)

// tinySet returns a hand-built set over a small dataset: popularity,
// a sparsified EASE, a content model with its text encoder and fusion
// model, and the Meta that lists them. Nothing is trained beyond a count
// and a closed form.
func tinySet(tb testing.TB) (*saved.Set, *saved.Meta) {
	tb.Helper()
	evs := slices.Collect(synth.Events(synth.Config{Items: 10, Events: 90, MeanHistory: 4, ClusterSize: 5, Categories: 2, Seed: 3}))
	d, err := dataset.FromSlice(evs, dataset.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	ease, err := candidate.TrainEASE(tb.Context(), d, candidate.EASEConfig{Lambda: 1})
	if err != nil {
		tb.Fatal(err)
	}
	enc := ngram.New(ngram.Config{Dim: 4, Buckets: 32})
	vecs := make([][]float32, d.NumItems())
	for i := range vecs {
		vecs[i] = make([]float32, enc.Dim())
		enc.EncodeTo(vecs[i], d.Items[i]+" item")
	}
	content, err := candidate.NewContent(vecs, candidate.ContentConfig{})
	if err != nil {
		tb.Fatal(err)
	}
	fm, err := fusion.New([]fusion.Modality{{Name: fusion.Text, Dim: enc.Dim()}}, [][]float32{make([]float32, enc.Dim())})
	if err != nil {
		tb.Fatal(err)
	}
	set := &saved.Set{N: d.NumItems(), Encoder: enc, Fusion: fm, Members: []saved.Member{
		{Name: saved.ModelPopular, Scorer: candidate.TrainPopular(d)},
		{Name: saved.ModelEASE, Scorer: ease.Sparsify(5)},
		{Name: saved.ModelContent, Scorer: content},
	}}
	meta := &saved.Meta{Items: d.Items, ContentVectors: saved.VectorsFused, Candidates: 10, Users: len(d.Seqs), Seed: 3,
		Weights: map[string]float64{saved.ModelEASE: 1, saved.ModelPopular: 0.25, saved.ModelContent: 0.5}}
	for _, m := range set.Members {
		meta.Members = append(meta.Members, saved.MemberMeta{Name: m.Name, File: m.Name + ".bin", TrainSeconds: 0.5})
	}
	return set, meta
}

func marshal(tb testing.TB, m encoding.BinaryMarshaler) []byte {
	tb.Helper()
	b, err := m.MarshalBinary()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestSaveLatestLoad(t *testing.T) {
	dir := t.TempDir()
	set, meta := tinySet(t)
	now := time.Date(2025, 3, 4, 5, 6, 7, 890123000, time.FixedZone("X", 3600))
	version, err := saved.Save(dir, set, meta, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := "20250304T040607.890123Z"; version != want {
		t.Errorf("version %q, want %q", version, want)
	}
	latest, err := saved.Latest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if latest.Version != version || !latest.CreatedAt.Equal(now) || latest.Encoder == "" || latest.Fusion == "" {
		t.Errorf("Latest = version %q created %v, encoder %q, fusion %q", latest.Version, latest.CreatedAt, latest.Encoder, latest.Fusion)
	}
	got, gotSet, blend, err := saved.Load(dir, version)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Items, meta.Items) || !slices.Equal(got.BlendMembers(), meta.BlendMembers()) {
		t.Errorf("loaded items %v, members %v; want %v, %v", got.Items, got.BlendMembers(), meta.Items, meta.BlendMembers())
	}
	for i, m := range set.Members {
		if g := gotSet.Members[i]; g.Name != m.Name || !bytes.Equal(marshal(t, g.Scorer.(encoding.BinaryMarshaler)), marshal(t, m.Scorer.(encoding.BinaryMarshaler))) {
			t.Errorf("member %d: loaded %q differs from saved %q", i, g.Name, m.Name)
		}
	}
	if !bytes.Equal(marshal(t, gotSet.Encoder), marshal(t, set.Encoder)) || !bytes.Equal(marshal(t, gotSet.Fusion), marshal(t, set.Fusion)) {
		t.Error("loaded encoder or fusion model differs from the saved one")
	}
	// The blend weighs the members in BlendOrder: EASE, content, popular.
	want, err := set.Blend([]string{saved.ModelEASE, saved.ModelContent, saved.ModelPopular}, []float64{1, 0.5, 0.25})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range [][]int32{{0}, {1, 2, 3}, {9, 9, 4}} {
		a, b := make([]float32, set.N), make([]float32, set.N)
		want.Score(h, a)
		blend.Score(h, b)
		if !slices.Equal(b, a) {
			t.Errorf("history %v: loaded blend scores %v, want %v", h, b, a)
		}
	}
	if _, _, _, err := saved.Load(dir, "19990101T000000.000000Z"); err == nil {
		t.Error("Load of a missing version: no error")
	}
}

func TestLatestEmpty(t *testing.T) {
	for name, dir := range map[string]string{"missing": filepath.Join(t.TempDir(), "none"), "empty": t.TempDir()} {
		if _, err := saved.Latest(dir); !errors.Is(err, saved.ErrNoModel) {
			t.Errorf("%s: Latest = %v, want ErrNoModel", name, err)
		}
	}
}

// failing is a scorer whose encoding fails.
type failing struct{ err error }

func (failing) Score([]int32, []float32)         {}
func (f failing) MarshalBinary() ([]byte, error) { return nil, f.err }

// unsaveable is a scorer with no binary form.
type unsaveable struct{}

func (unsaveable) Score([]int32, []float32) {}

// TestSaveFailureLeavesNoVersion checks that a Save that fails part way
// leaves no visible version, no temporary folder, and the previous
// version still the latest.
func TestSaveFailureLeavesNoVersion(t *testing.T) {
	boom := errors.New("disk full")
	for name, bad := range map[string]saved.Member{
		"write fails":     {Name: saved.ModelMF, Scorer: failing{boom}},
		"cannot be saved": {Name: saved.ModelMF, Scorer: unsaveable{}},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			set, meta := tinySet(t)
			t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			first, err := saved.Save(dir, set, meta, t0)
			if err != nil {
				t.Fatal(err)
			}
			set, meta = tinySet(t)
			set.Members = append(set.Members, bad)
			meta.Members = append(meta.Members, saved.MemberMeta{Name: bad.Name, File: "mf.bin"})
			if _, err := saved.Save(dir, set, meta, t0.Add(time.Hour)); err == nil {
				t.Fatal("Save: no error")
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 || entries[0].Name() != first {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("folder holds %v, want only %s", names, first)
			}
			if latest, err := saved.Latest(dir); err != nil || latest.Version != first {
				t.Errorf("Latest = %v, %v; want %s", latest, err, first)
			}
		})
	}
}

func TestSaveIntoFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "models")
	if err := os.WriteFile(dir, []byte("not a folder"), 0o644); err != nil {
		t.Fatal(err)
	}
	set, meta := tinySet(t)
	if _, err := saved.Save(dir, set, meta, time.Now()); err == nil {
		t.Fatal("Save into a file's path: no error")
	}
}

// goodMeta is a valid meta.json.
const goodMeta = `{"version": "20250101T000000.000000Z", "items": ["a", "b"],
	"members": [{"name": "ease", "file": "ease.bin"}, {"name": "popular", "file": "popular.bin"}],
	"encoder": "encoder.bin", "fusion": "fusion.bin", "ranker": "ranker.bin", "weights": {"ease": 1, "popular": 0.5}}`

func TestParseMeta(t *testing.T) {
	edit := func(old, new string) string {
		if !strings.Contains(goodMeta, old) {
			t.Fatalf("goodMeta has no %q", old)
		}
		return strings.Replace(goodMeta, old, new, 1)
	}
	tests := []struct {
		name string
		json string
		want string // substring of the error; "" for none
	}{
		{"valid", goodMeta, ""},
		{"empty object", `{}`, ""},
		{"not JSON", `{"members": [`, "unexpected end"},
		{"wrong type", `{"members": "ease"}`, "cannot unmarshal"},
		{"unknown model", edit(`"name": "ease"`, `"name": "bert"`), `unknown model "bert"`},
		{"duplicate member", edit(`"name": "popular"`, `"name": "ease"`), `"ease" listed twice`},
		{"parent file", edit(`"file": "ease.bin"`, `"file": "../x"`), `"../x" is not a file name`},
		{"dot-dot file", edit(`"file": "ease.bin"`, `"file": ".."`), "is not a file name"},
		{"dot file", edit(`"file": "ease.bin"`, `"file": "."`), "is not a file name"},
		{"empty file", edit(`"file": "ease.bin"`, `"file": ""`), "is not a file name"},
		{"absolute file", edit(`"file": "ease.bin"`, `"file": "/etc/passwd"`), "is not a file name"},
		{"backslash file", edit(`"file": "ease.bin"`, `"file": "..\\\\x"`), "is not a file name"},
		{"NUL in file", edit(`"file": "ease.bin"`, `"file": "ease\u0000.bin"`), "is not a file name"},
		{"encoder outside", edit(`"encoder": "encoder.bin"`, `"encoder": "../../encoder.bin"`), "encoder:"},
		{"fusion outside", edit(`"fusion": "fusion.bin"`, `"fusion": "sub/fusion.bin"`), "fusion:"},
		{"ranker outside", edit(`"ranker": "ranker.bin"`, `"ranker": "../ranker.bin"`), "ranker:"},
		{"unknown weight", edit(`"popular": 0.5`, `"bert": 0.5`), `weights: unknown model "bert"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := saved.ParseMeta([]byte(tt.json))
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("ParseMeta: %v", err)
			case tt.want == "":
				if m == nil {
					t.Fatal("ParseMeta: nil Meta")
				}
			case err == nil || !strings.Contains(err.Error(), tt.want):
				t.Errorf("ParseMeta error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// FuzzParseMeta checks that ParseMeta accepts only metas whose files are
// plain names inside the version's folder and whose models are known.
func FuzzParseMeta(f *testing.F) {
	f.Add([]byte(goodMeta))
	f.Add([]byte(`{"members": [{"name": "mf", "file": "../mf.bin"}]}`))
	f.Add([]byte(`null`))
	dir := f.TempDir()
	set, meta := tinySet(f)
	version, err := saved.Save(dir, set, meta, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		f.Fatal(err)
	}
	real, err := os.ReadFile(filepath.Join(dir, version, "meta.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(real)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := saved.ParseMeta(data)
		if err != nil {
			return
		}
		files := []string{m.Encoder, m.Fusion}
		seen := map[string]bool{}
		for _, mm := range m.Members {
			if !slices.Contains(saved.BlendOrder, mm.Name) || seen[mm.Name] || mm.File == "" {
				t.Fatalf("accepted member %+v", mm)
			}
			seen[mm.Name] = true
			files = append(files, mm.File)
		}
		for _, f := range files {
			if f != "" && (!filepath.IsLocal(f) || filepath.Base(f) != f || strings.ContainsAny(f, `/\`)) {
				t.Fatalf("accepted file %q outside the version's folder", f)
			}
		}
		for n := range m.Weights {
			if !slices.Contains(saved.BlendOrder, n) {
				t.Fatalf("accepted weight for %q", n)
			}
		}
	})
}

func TestSetBlendUnknownModel(t *testing.T) {
	set := &saved.Set{N: 3}
	if _, err := set.Blend([]string{"nope"}, []float64{1}); err == nil {
		t.Fatal("Blend accepted an unknown model")
	}
}
