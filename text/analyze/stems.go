package analyze

import (
	"hash/maphash"
	"strings"
	"sync"
)

// stemCache remembers the stems of words without holding a pointer per
// word: words and stems are written one after the other into large
// strings.Builder chunks, and a map from the word's hash to its entry
// (both free of pointers) finds them. A serving process keeps tens of
// thousands of stems for its life; kept as separate strings in a sync.Map
// they were about five objects each for the garbage collector to mark in
// every collection, here they are a few dozen chunks. Safe for concurrent
// use.
type stemCache struct {
	mu      sync.RWMutex
	seed    maphash.Seed
	index   map[uint64]uint32 // hash of the word → its entry in entries
	entries []stemEntry
	chunks  []string // the text of each full or current chunk, as of its last write
	cur     strings.Builder
	max     int
}

// stemEntry locates one word and its stem, written one after the other
// in chunks[chunk] from off.
type stemEntry struct {
	chunk, off  uint32
	word, stemN uint16
}

// stemChunk is the size of one chunk of words and stems.
const stemChunk = 64 << 10

// newStemCache returns a cache of at most max stems.
func newStemCache(max int) *stemCache {
	return &stemCache{seed: maphash.MakeSeed(), index: make(map[uint64]uint32), max: max}
}

// get returns w's stem when the cache holds it.
func (c *stemCache) get(w string) (string, bool) {
	h := maphash.String(c.seed, w)
	c.mu.RLock()
	defer c.mu.RUnlock()
	i, ok := c.index[h]
	if !ok {
		return "", false
	}
	e := c.entries[i]
	text := c.chunks[e.chunk]
	at := int(e.off)
	if text[at:at+int(e.word)] != w {
		return "", false // another word with the same hash
	}
	at += int(e.word)
	return text[at : at+int(e.stemN)], true
}

// put remembers stem as w's, unless the cache is full, either is too long
// for an entry, or another word with w's hash is there.
func (c *stemCache) put(w, stem string) {
	need := len(w) + len(stem)
	if len(w) > 1<<15 || len(stem) > 1<<15 || need > stemChunk {
		return
	}
	h := maphash.String(c.seed, w)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.index[h]; ok || len(c.entries) >= c.max {
		return
	}
	// A chunk's builder only grows within the capacity it was given, so
	// the strings it returned before stay valid and unchanged.
	if len(c.chunks) == 0 || c.cur.Cap()-c.cur.Len() < need {
		c.cur = strings.Builder{}
		c.cur.Grow(stemChunk)
		c.chunks = append(c.chunks, "")
	}
	e := stemEntry{chunk: uint32(len(c.chunks) - 1), off: uint32(c.cur.Len()), word: uint16(len(w)), stemN: uint16(len(stem))}
	c.cur.WriteString(w)
	c.cur.WriteString(stem)
	c.chunks[e.chunk] = c.cur.String()
	c.index[h] = uint32(len(c.entries))
	c.entries = append(c.entries, e)
}

// len returns how many stems the cache holds.
func (c *stemCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}
