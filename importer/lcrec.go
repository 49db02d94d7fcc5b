package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"strings"

	"github.com/aislehq/aisle"
)

// Suffixes of the LC-Rec dataset files.
const (
	lcrecItemSuffix  = ".item.json"
	lcrecInterSuffix = ".inter.json"
)

// lcrecPlan plans the import of an LC-Rec dataset: the folder at path with
// its *.item.json and *.inter.json files, or one of those files (its
// sibling is used when present).
func lcrecPlan(path string) (*plan, error) {
	itemPath, interPath, err := lcrecFiles(path)
	if err != nil {
		return nil, err
	}
	p := &plan{}
	if itemPath != "" {
		entries, err := readJSONObject(itemPath)
		if err != nil {
			return nil, err
		}
		p.items = []source[aisle.Item]{memSource(itemPath, lcrecItems(entries))}
	}
	if interPath != "" {
		entries, err := readJSONObject(interPath)
		if err != nil {
			return nil, err
		}
		seqs := lcrecSequences(entries)
		p.users = []source[aisle.User]{sequenceUsers(interPath, seqs)}
		p.events = []source[aisle.Event]{sequenceEvents(interPath, "lcrec", seqs)}
	}
	return p, nil
}

// lcrecFiles finds the item and interaction files for path.
func lcrecFiles(path string) (itemPath, interPath string, err error) {
	dir, err := isDir(path)
	if err != nil {
		return "", "", err
	}
	if !dir {
		lower := strings.ToLower(path)
		switch {
		case strings.HasSuffix(lower, lcrecItemSuffix):
			stem := path[:len(path)-len(lcrecItemSuffix)]
			return path, companion(stem + lcrecInterSuffix), nil
		case strings.HasSuffix(lower, lcrecInterSuffix):
			stem := path[:len(path)-len(lcrecInterSuffix)]
			return companion(stem + lcrecItemSuffix), path, nil
		}
		return "", "", fmt.Errorf("%s: want a *%s or *%s file", path, lcrecItemSuffix, lcrecInterSuffix)
	}
	names, err := listDir(path)
	if err != nil {
		return "", "", err
	}
	if itemPath, err = globOne(path, names, lcrecItemSuffix); err != nil {
		return "", "", err
	}
	if interPath, err = globOne(path, names, lcrecInterSuffix); err != nil {
		return "", "", err
	}
	if itemPath == "" && interPath == "" {
		return "", "", fmt.Errorf("%s: no *%s or *%s file", path, lcrecItemSuffix, lcrecInterSuffix)
	}
	return itemPath, interPath, nil
}

// lcrecItem is one entry of an LC-Rec item file. Other fields are ignored.
type lcrecItem struct {
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Brand       string          `json:"brand"`
	Categories  json.RawMessage `json:"categories"`
}

// lcrecItems turns the entries of an item file into item rows.
func lcrecItems(entries []objectEntry) []rec[aisle.Item] {
	// First pass: decode, and gather every category path for the splitter.
	decoded := make([]lcrecItem, len(entries))
	errs := make([]error, len(entries))
	cats := make([]string, len(entries))
	var paths []string
	seen := make(map[string]int)
	for i, e := range entries {
		if at, dup := seen[e.key]; dup {
			errs[i] = fmt.Errorf("item %q: duplicate key (first at line %d)", e.key, at)
			continue
		}
		seen[e.key] = e.line
		if err := json.Unmarshal(e.value, &decoded[i]); err != nil {
			errs[i] = fmt.Errorf("item %q: %s", e.key, jsonObjectReason(err))
			continue
		}
		if c := decoded[i].Categories; len(c) > 0 && c[0] == '"' {
			if err := json.Unmarshal(c, &cats[i]); err != nil {
				errs[i] = fmt.Errorf("item %q: categories: %s", e.key, jsonReason(err))
				continue
			}
			paths = append(paths, cats[i])
		}
	}
	split := newCategorySplitter(paths)
	rows := make([]rec[aisle.Item], len(entries))
	for i, e := range entries {
		rows[i] = rec[aisle.Item]{line: e.line, err: errs[i]}
		if errs[i] != nil {
			continue
		}
		d := decoded[i]
		it := aisle.Item{
			ID:          e.key,
			Title:       cleanText(d.Title),
			Description: cleanText(d.Description),
			Brand:       cleanText(d.Brand),
		}
		switch c := d.Categories; {
		case len(c) == 0 || string(c) == "null":
		case c[0] == '"':
			if cats[i] != "" {
				it.Categories = split.split(cats[i])
			}
		default:
			// Already a list: take it as the path.
			if err := json.Unmarshal(c, &it.Categories); err != nil {
				rows[i].err = fmt.Errorf("item %q: categories: want a string or an array of strings", e.key)
				continue
			}
		}
		rows[i].v = it
	}
	return rows
}

// jsonObjectReason is jsonReason for an entry that must be an object.
func jsonObjectReason(err error) string {
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && te.Field == "" {
		return "want an object, got " + te.Value
	}
	return jsonReason(err)
}

// cleanText undoes the HTML escaping of scraped Amazon text ("AT&amp;T")
// and trims white space.
func cleanText(s string) string {
	if strings.IndexByte(s, '&') >= 0 {
		s = html.UnescapeString(s)
	}
	return strings.TrimSpace(s)
}

// lcrecSequences turns the entries of an interaction file, {"user": [item,
// ...]}, into sequences.
func lcrecSequences(entries []objectEntry) []sequence {
	seqs := make([]sequence, 0, len(entries))
	seen := make(map[string]int)
	for _, e := range entries {
		s := sequence{line: e.line, user: e.key}
		if at, dup := seen[e.key]; dup {
			s.err = fmt.Errorf("user %q: duplicate key (first at line %d)", e.key, at)
			seqs = append(seqs, s)
			continue
		}
		seen[e.key] = e.line
		var elems []json.RawMessage
		if err := json.Unmarshal(e.value, &elems); err != nil {
			s.err = fmt.Errorf("user %q: want an array of item ids", e.key)
			seqs = append(seqs, s)
			continue
		}
		s.items = make([]seqItem, len(elems))
		for k, el := range elems {
			id, err := idValue(el)
			if err != nil {
				err = fmt.Errorf("user %q: items[%d]: %w", e.key, k, err)
			}
			s.items[k] = seqItem{id: id, err: err}
		}
		seqs = append(seqs, s)
	}
	return seqs
}

// categorySplitter splits LC-Rec category paths, which are joined with ", "
// although some Amazon category names contain ", " themselves ("Tape,
// Adhesives & Fasteners"). It learns from every path of the file which
// segment follows each path prefix.
type categorySplitter struct {
	// next maps a raw path prefix ("A, B") to the one segment that follows
	// it in every path of the file; "" if it ends a path or is followed by
	// different segments in different paths.
	next map[string]string
}

// newCategorySplitter learns from paths, all the category paths of a file.
func newCategorySplitter(paths []string) *categorySplitter {
	c := &categorySplitter{next: make(map[string]string)}
	const several = "\x00"
	for _, p := range paths {
		end := 0
		for end < len(p) {
			i := strings.Index(p[end:], ", ")
			if i < 0 {
				break
			}
			prefix := p[:end+i]
			rest := p[end+i+2:]
			seg, _, _ := strings.Cut(rest, ", ")
			switch old, ok := c.next[prefix]; {
			case !ok:
				c.next[prefix] = seg
			case old != seg:
				c.next[prefix] = several
			}
			end += i + 2
		}
		c.next[p] = several // the path ends here
	}
	return c
}

// split splits a category path. A segment is merged with the next one, as
// one name "A, B & C", when all of these hold:
//   - it is not the first segment, and has no '&' (names with a comma put
//     their '&' last);
//   - the next segment contains " & ";
//   - the two share no word (a child repeats its parent's words: "Scanners"
//     is followed by "Flatbed & Photo Scanners");
//   - in the whole file, the path up to this segment is always followed by
//     that same next segment (a real parent such as "Paper" or
//     "Calculators" has several children, or ends paths).
//
// A nil *categorySplitter skips the last test.
func (c *categorySplitter) split(path string) []string {
	segs := strings.Split(path, ", ")
	out := make([]string, 0, len(segs))
	end := 0 // length of path through segment i
	for i := 0; i < len(segs); i++ {
		s := segs[i]
		if i > 0 {
			end += 2
		}
		end += len(s)
		if i > 0 && i+1 < len(segs) && c.joins(path[:end], s, segs[i+1]) {
			s += ", " + segs[i+1]
			i++
			end += 2 + len(segs[i])
		}
		out = append(out, s)
	}
	return out
}

// joins reports whether seg, ending prefix, and next are one name.
func (c *categorySplitter) joins(prefix, seg, next string) bool {
	if strings.Contains(seg, "&") || !strings.Contains(next, " & ") || sharesWord(seg, next) {
		return false
	}
	return c == nil || c.next[prefix] == next
}

// sharesWord reports whether a and b have a word in common, ignoring case
// and a plural s.
func sharesWord(a, b string) bool {
	words := func(s string) []string {
		f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
			return !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r > 127)
		})
		for i, w := range f {
			if len(w) > 3 {
				f[i] = strings.TrimSuffix(w, "s")
			}
		}
		return f
	}
	wa := words(a)
	for _, w := range words(b) {
		for _, x := range wa {
			if w == x {
				return true
			}
		}
	}
	return false
}
