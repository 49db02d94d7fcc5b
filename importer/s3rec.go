package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aislehq/aisle"
)

// Names of the S3-Rec companion files, after the sequence file's stem
// (Beauty.txt → Beauty_itemid2asin.tsv, Beauty_item2attributes.json).
const (
	s3recAsinSuffix = "_itemid2asin.tsv"
	s3recAttrSuffix = "_item2attributes.json"
)

// s3recPlan plans the import of an S3-Rec dataset: the sequence file at
// path, or the single .txt file of the folder at path, with its optional
// companion files beside it.
func s3recPlan(ctx context.Context, path string) (*plan, error) {
	seqPath, err := s3recSequenceFile(path)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(seqPath)
	stem := strings.TrimSuffix(filepath.Base(seqPath), filepath.Ext(seqPath))
	asinPath := companion(filepath.Join(dir, stem+s3recAsinSuffix))
	attrPath := companion(filepath.Join(dir, stem+s3recAttrSuffix))

	seqs, err := readS3RecSequences(ctx, seqPath)
	if err != nil {
		return nil, err
	}
	items := newS3RecCatalog()
	if asinPath != "" {
		if err := items.readAsins(asinPath); err != nil {
			return nil, err
		}
	}
	for _, s := range seqs {
		for _, it := range s.items {
			if it.err == nil {
				items.add(it.id, seqPath, s.line)
			}
		}
	}
	if attrPath != "" {
		if err := items.readAttributes(attrPath); err != nil {
			return nil, err
		}
	}
	return &plan{
		items:  []source[aisle.Item]{memSource(seqPath, items.rows)},
		users:  []source[aisle.User]{sequenceUsers(seqPath, seqs)},
		events: []source[aisle.Event]{sequenceEvents(seqPath, "s3rec", seqs)},
	}, nil
}

// companion returns path if it is a file, else "".
func companion(path string) string {
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
		return path
	}
	return ""
}

// s3recSequenceFile returns path if it is a file, else the single .txt
// file in the folder path.
func s3recSequenceFile(path string) (string, error) {
	dir, err := isDir(path)
	if err != nil || !dir {
		return path, err
	}
	names, err := listDir(path)
	if err != nil {
		return "", err
	}
	p, err := globOne(path, names, ".txt")
	if err == nil && p == "" {
		err = fmt.Errorf("%s: no .txt sequence file", path)
	}
	return p, err
}

// parseS3RecLine splits one line of an S3-Rec sequence file, "user item
// item ...", separated by white space. A blank line gives user "". It
// rejects a user id that is not a valid id; item ids are checked when their
// events are.
func parseS3RecLine(line string) (user string, items []string, err error) {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return "", nil, nil
	}
	if err := aisle.ValidateID("user", fields[0]); err != nil {
		return "", nil, err
	}
	return fields[0], fields[1:], nil
}

// readS3RecSequences reads a sequence file. A user on two lines rejects the
// second.
func readS3RecSequences(ctx context.Context, path string) ([]sequence, error) {
	f, err := openFile(path, nil)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	lr := newLineReader(f.r)
	var seqs []sequence
	first := make(map[string]int)
	for {
		line, n, err := lr.next()
		if err == io.EOF {
			return seqs, nil
		}
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if errors.Is(err, errLineTooLong) {
			seqs = append(seqs, sequence{line: n, err: err})
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		user, items, err := parseS3RecLine(string(line))
		s := sequence{line: n, user: user, err: err}
		if err == nil && user == "" {
			continue // blank line
		}
		if err == nil {
			if at, dup := first[user]; dup {
				s.err = fmt.Errorf("user %q already has a sequence at line %d", user, at)
			} else {
				first[user] = n
			}
		}
		s.items = make([]seqItem, len(items))
		for i, id := range items {
			s.items[i] = seqItem{id: id}
		}
		seqs = append(seqs, s)
	}
}

// s3recCatalog collects the items of an S3-Rec dataset from its files.
type s3recCatalog struct {
	rows  []rec[aisle.Item]
	index map[string]int // item id → position in rows
}

func newS3RecCatalog() *s3recCatalog {
	return &s3recCatalog{index: make(map[string]int)}
}

// add adds item id, first seen at file:line, unless it is known.
func (c *s3recCatalog) add(id, file string, line int) *rec[aisle.Item] {
	if i, ok := c.index[id]; ok {
		return &c.rows[i]
	}
	c.index[id] = len(c.rows)
	c.rows = append(c.rows, rec[aisle.Item]{file: file, line: line, v: aisle.Item{ID: id}})
	return &c.rows[len(c.rows)-1]
}

// readAsins reads "s3rec_item_id<TAB>asin" lines (after an optional header)
// into the items' "asin" attribute. A bad line rejects its item.
func (c *s3recCatalog) readAsins(path string) error {
	f, err := openFile(path, nil)
	if err != nil {
		return err
	}
	defer f.Close()
	lr := newLineReader(f.r)
	for {
		line, n, err := lr.next()
		if err == io.EOF {
			return nil
		}
		if errors.Is(err, errLineTooLong) {
			c.rows = append(c.rows, rec[aisle.Item]{file: path, line: n, err: err})
			continue
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		id, asin, ok := strings.Cut(string(line), "\t")
		if n == 1 && ok && asin == "asin" {
			continue // header
		}
		if !ok || id == "" || asin == "" || strings.Contains(asin, "\t") {
			c.rows = append(c.rows, rec[aisle.Item]{file: path, line: n, err: errors.New("want <item id> TAB <asin>")})
			continue
		}
		if i, dup := c.index[id]; dup {
			c.rows = append(c.rows, rec[aisle.Item]{file: path, line: n,
				err: fmt.Errorf("item %q already listed at line %d", id, c.rows[i].line)})
			continue
		}
		r := c.add(id, path, n)
		r.v.Attributes = map[string]string{"asin": asin}
	}
}

// readAttributes reads {"item id": [attribute id, ...]} into the items'
// "attribute_ids" attribute (comma-joined). A bad entry rejects its item.
func (c *s3recCatalog) readAttributes(path string) error {
	entries, err := readJSONObject(path)
	if err != nil {
		return err
	}
	seen := make(map[string]int)
	for _, e := range entries {
		r := c.add(e.key, path, e.line)
		if r.err != nil {
			continue
		}
		if at, dup := seen[e.key]; dup {
			*r = rec[aisle.Item]{file: path, line: e.line, err: fmt.Errorf("item %q: duplicate key (first at line %d)", e.key, at)}
			continue
		}
		seen[e.key] = e.line
		ids, err := idList(e.value)
		if err != nil {
			*r = rec[aisle.Item]{file: path, line: e.line, err: fmt.Errorf("item %q: attribute ids: %w", e.key, err)}
			continue
		}
		if len(ids) > 0 {
			if r.v.Attributes == nil {
				r.v.Attributes = make(map[string]string)
			}
			r.v.Attributes["attribute_ids"] = strings.Join(ids, ",")
		}
	}
	return nil
}

// idList decodes a JSON array of ids, integers or strings, keeping each as
// written: [1, "a"] → ["1", "a"].
func idList(raw json.RawMessage) ([]string, error) {
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, errors.New("want an array of ids")
	}
	ids := make([]string, len(elems))
	for i, el := range elems {
		id, err := idValue(el)
		if err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
		ids[i] = id
	}
	return ids, nil
}

// idValue decodes one id: an integer (kept as written) or a string.
func idValue(el json.RawMessage) (string, error) {
	if len(el) > 0 && el[0] == '"' {
		var s string
		if err := json.Unmarshal(el, &s); err != nil {
			return "", errors.New("bad string")
		}
		return s, nil
	}
	if s := string(el); isInteger(s) {
		return s, nil
	}
	return "", fmt.Errorf("want an integer or string id, got %.20s", el)
}
