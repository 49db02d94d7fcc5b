package analyze

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// officeItems is the real Amazon Office catalog, beside the checkout.
var officeItems = filepath.Join("..", "..", "..", "shared", "data", "amazon-office", "Office.item.json")

// loaded returns an Analyzer with the jieba dictionary, failing the test
// when it is not installed.
func loaded(tb testing.TB) *Analyzer {
	tb.Helper()
	a := New(Config{})
	if err := a.Load(); err != nil {
		tb.Fatalf("%v (run make deps)", err)
	}
	return a
}

// officeTexts returns the title, brand, categories and description of
// every Office item, skipping the test when the data is absent.
func officeTexts(tb testing.TB) []string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("analyses the whole Office catalog; skipped with -short")
	}
	data, err := os.ReadFile(officeItems)
	if errors.Is(err, fs.ErrNotExist) {
		tb.Skipf("%s absent", officeItems)
	}
	if err != nil {
		tb.Fatal(err)
	}
	var items map[string]struct{ Title, Description, Brand, Categories string }
	if err := json.Unmarshal(data, &items); err != nil {
		tb.Fatal(err)
	}
	texts := make([]string, 0, len(items))
	for _, it := range items {
		texts = append(texts, it.Title+"\n"+it.Brand+"\n"+it.Categories+"\n"+it.Description)
	}
	return texts
}

func TestTermsAndWords(t *testing.T) {
	tests := []struct {
		name, text   string
		words, terms []string
	}{
		{"office title", "VTECH CS6114 DECT 6.0 Cordless Phones, White/Grey",
			[]string{"vtech", "cs6114", "dect", "6.0", "cordless", "phones", "white", "grey"},
			[]string{"vtech", "cs6114", "dect", "6.0", "cordless", "phone", "white", "grey"}},
		{"numbers", "8.5 x 11 paper, 11x17, 1,000 sheets for $30",
			[]string{"8.5", "x", "11", "paper", "11x17", "1000", "sheets", "for", "30"},
			[]string{"8.5", "x", "11", "paper", "11x17", "1000", "sheet", "30"}},
		{"not thousands", "1,2 and 12,34",
			[]string{"1,2", "and", "12,34"},
			[]string{"1,2", "12,34"}},
		{"stop words and stems", "The shredders are shredding the papers",
			[]string{"the", "shredders", "are", "shredding", "the", "papers"},
			[]string{"shredder", "shred", "paper"}},
		{"apostrophe", "Elmer's glue", []string{"elmer's", "glue"}, []string{"elmer", "glue"}},
		{"full width", "Ｐｏｓｔ－Ｉｔ　１２３", []string{"post", "it", "123"}, []string{"post", "123"}},
		{"other scripts", "Привет мир café", []string{"привет", "мир", "café"}, []string{"привет", "мир", "café"}},
		{"chinese fallback", "黑色笔", []string{"黑", "色", "笔"}, []string{"黑", "黑色", "色", "色笔", "笔"}},
		{"kana", "コピー", []string{"コ", "ピ", "ー"}, []string{"コ", "コピ", "ピ", "ピー", "ー"}},
		{"punctuation only", " -- !! ", nil, nil},
	}
	a := New(Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(a.Words(nil, tt.text), tt.words); diff != "" {
				t.Errorf("Words(%q) (-got +want):\n%s", tt.text, diff)
			}
			if diff := cmp.Diff(a.Terms(nil, tt.text), tt.terms); diff != "" {
				t.Errorf("Terms(%q) (-got +want):\n%s", tt.text, diff)
			}
		})
	}
}

func TestKeepStopWords(t *testing.T) {
	got := New(Config{KeepStopWords: true}).Terms(nil, "the pens")
	if diff := cmp.Diff(got, []string{"the", "pen"}); diff != "" {
		t.Errorf("(-got +want):\n%s", diff)
	}
}

func TestChineseDictionary(t *testing.T) {
	tests := []struct {
		text         string
		words, terms []string
	}{
		{"订书机和圆珠笔", []string{"订书机", "和", "圆珠笔"}, []string{"订书机", "订书", "书机", "圆珠笔", "圆珠"}},
		{"最便宜的订书机", []string{"最", "便宜", "的", "订书机"}, []string{"最", "便宜", "订书机", "订书", "书机"}},
		{"30元以下", []string{"30", "元", "以下"}, []string{"30", "元", "以下"}},
		{"不要蓝牙", []string{"不要", "蓝牙"}, []string{"不要", "蓝牙"}},
		{"HP黑色墨盒", []string{"hp", "黑色", "墨盒"}, []string{"hp", "黑色", "墨盒"}},
	}
	a := loaded(t)
	if !a.HasDictionary() {
		t.Fatal("HasDictionary false after Load")
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if diff := cmp.Diff(a.Words(nil, tt.text), tt.words); diff != "" {
				t.Errorf("Words (-got +want):\n%s", diff)
			}
			if diff := cmp.Diff(a.Terms(nil, tt.text), tt.terms); diff != "" {
				t.Errorf("Terms (-got +want):\n%s", diff)
			}
		})
	}
}

func TestLoadMissing(t *testing.T) {
	a := New(Config{JiebaDict: filepath.Join(t.TempDir(), "none.txt")})
	if err := a.Load(); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load = %v, want fs.ErrNotExist", err)
	}
	if a.HasDictionary() {
		t.Error("HasDictionary after a failed Load")
	}
	if got := a.Terms(nil, "笔"); !cmp.Equal(got, []string{"笔"}) {
		t.Errorf("fallback Terms = %q", got)
	}
}

func TestLoadBadLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dict.txt")
	if err := os.WriteFile(path, []byte("订书机 12 n\n笔 x n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := New(Config{JiebaDict: path}).Load()
	if err == nil || !strings.Contains(err.Error(), path+":2: frequency") {
		t.Fatalf("Load = %v, want an error naming %s:2", err, path)
	}
}

func TestStem(t *testing.T) {
	a := New(Config{})
	for in, want := range map[string]string{"pens": "pen", "staplers": "stapler", "the": "the", "11x17": "11x17", "黑色": "黑色"} {
		if got := a.Stem(in); got != want {
			t.Errorf("Stem(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestConcurrentLoad runs Load while other goroutines analyse text
// (meaningful under -race).
func TestConcurrentLoad(t *testing.T) {
	a := New(Config{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				a.Terms(nil, "黑色订书机 black staplers")
			}
		})
	}
	if err := a.Load(); err != nil {
		t.Fatalf("%v (run make deps)", err)
	}
	wg.Wait()
}

// TestOfficeCatalog checks every real item text gives terms, all of them
// non-empty and free of spaces.
func TestOfficeCatalog(t *testing.T) {
	a := New(Config{})
	for _, text := range officeTexts(t) {
		terms := a.Terms(nil, text)
		if len(terms) == 0 {
			t.Errorf("no terms for %q", text)
		}
		for _, term := range terms {
			if term == "" || strings.ContainsAny(term, " \n\t") {
				t.Fatalf("bad term %q in %q", term, text)
			}
		}
	}
}
