package analyze

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/kljensen/snowball/english"
)

// TestStemCache checks that every stem read back is the one put, across
// chunk boundaries, under concurrent use, and that the cache stops at its
// bound and skips words too long for an entry.
func TestStemCache(t *testing.T) {
	c := newStemCache(5000)
	words := make([]string, 6000)
	for i := range words {
		// Long enough that the entries fill several 64 KB chunks.
		words[i] = fmt.Sprintf("organisational%dreconditioning%s", i, strings.Repeat("s", i%7))
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < len(words); i += 2 {
				w := words[i]
				if s, ok := c.get(w); ok {
					if want := english.Stem(w, false); s != want {
						t.Errorf("get(%q) = %q, want %q", w, s, want)
					}
					continue
				}
				c.put(w, english.Stem(w, false))
			}
		})
	}
	wg.Wait()
	if n := c.len(); n != 5000 {
		t.Fatalf("len = %d, want the bound 5000", n)
	}
	if len(c.chunks) < 3 {
		t.Fatalf("%d chunks: the test should cross chunk boundaries", len(c.chunks))
	}
	held := 0
	for _, w := range words {
		s, ok := c.get(w)
		if !ok {
			continue
		}
		held++
		if want := english.Stem(w, false); s != want {
			t.Errorf("get(%q) = %q, want %q", w, s, want)
		}
	}
	if held != 5000 {
		t.Errorf("%d words found, want 5000", held)
	}
	if _, ok := c.get("unseen"); ok {
		t.Error("get of a word never put found one")
	}
	long := strings.Repeat("a", 1<<16)
	c2 := newStemCache(10)
	c2.put(long, "a")
	c2.put("", "")
	if s, ok := c2.get(""); !ok || s != "" {
		t.Errorf("get(\"\") = %q, %v; want \"\", true", s, ok)
	}
	if _, ok := c2.get(long); ok {
		t.Error("a word longer than an entry holds was cached")
	}
}

// TestAnalyzerStemsCached checks that the analyzer's terms are the same
// whether a word's stem comes from the cache or not.
func TestAnalyzerStemsCached(t *testing.T) {
	a := New(Config{})
	text := "Running shoes for runners: lightweight running trainers, running socks"
	first := a.Terms(nil, text)
	if a.stems.len() == 0 {
		t.Fatal("nothing was cached")
	}
	second := a.Terms(nil, text)
	if fmt.Sprint(first) != fmt.Sprint(second) {
		t.Errorf("terms differ once cached: %v then %v", first, second)
	}
}
