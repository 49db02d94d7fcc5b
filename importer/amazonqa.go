package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aislehq/aisle"
)

// amazonQATimeLayout is the layout of answerTime ("Jun 27, 2014").
const amazonQATimeLayout = "Jan 2, 2006"

// amazonQAPlan plans the import of Amazon product Q&A files: the file at
// path, or every *.json and *.json.gz file of the folder at path.
func amazonQAPlan(path string) (*plan, error) {
	dir, err := isDir(path)
	if err != nil {
		return nil, err
	}
	files := []string{path}
	if dir {
		names, err := listDir(path)
		if err != nil {
			return nil, err
		}
		files = files[:0]
		for _, n := range names {
			if l := strings.ToLower(n); strings.HasSuffix(l, ".json") || strings.HasSuffix(l, ".json.gz") {
				files = append(files, filepath.Join(path, n))
			}
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s: no .json or .json.gz Q&A files", path)
		}
	}
	p := &plan{}
	for _, f := range files {
		fh, err := openFile(f, nil)
		if err != nil {
			return nil, err
		}
		fh.Close()
		p.questions = append(p.questions, amazonQASource(f))
	}
	return p, nil
}

// amazonQASource reads one Q&A file, gzipped or not, one Python dict a
// line.
func amazonQASource(path string) source[aisle.Question] {
	return source[aisle.Question]{
		file:  path,
		total: fileSize(path),
		bytes: true,
		read: func(ctx context.Context, m *meter, emit func(rec[aisle.Question]) error) error {
			f, err := openFile(path, m)
			if err != nil {
				return err
			}
			defer f.Close()
			if err := readAmazonQA(f.r, emit); err != nil {
				return fmt.Errorf("read %s: %w", path, err)
			}
			return nil
		},
	}
}

// readAmazonQA emits one question per non-blank line of r. Question ids
// are the asin and the question's 1-based ordinal among the lines of r
// with that asin ("B00004U9JP/3"); every line with a usable asin takes an
// ordinal, so fixing a bad row later does not renumber the others.
func readAmazonQA(r io.Reader, emit func(rec[aisle.Question]) error) error {
	lr := newLineReader(r)
	ordinal := make(map[string]int)
	for {
		line, n, err := lr.next()
		switch {
		case err == io.EOF:
			return nil
		case errors.Is(err, errLineTooLong):
			if err := emit(rec[aisle.Question]{line: n, err: err}); err != nil {
				return err
			}
			continue
		case err != nil:
			return err
		}
		if len(strings.TrimSpace(string(line))) == 0 {
			continue
		}
		q, err := amazonQAQuestion(string(line), ordinal)
		if err := emit(rec[aisle.Question]{line: n, v: q, err: err}); err != nil {
			return err
		}
	}
}

// amazonQAQuestion turns one line into a question, numbering it with
// ordinal (per asin counts so far).
func amazonQAQuestion(line string, ordinal map[string]int) (aisle.Question, error) {
	v, err := parsePyLiteral(line)
	if err != nil {
		return aisle.Question{}, err
	}
	d, ok := v.(map[string]any)
	if !ok {
		return aisle.Question{}, errors.New("want a dict")
	}
	asin, err := pyString(d, "asin", true)
	if err != nil {
		return aisle.Question{}, err
	}
	if err := aisle.ValidateID("asin", asin); err != nil {
		return aisle.Question{}, err
	}
	ordinal[asin]++
	q := aisle.Question{ID: asin + "/" + strconv.Itoa(ordinal[asin]), Item: asin}
	for _, f := range []struct {
		key      string
		dst      *string
		required bool
	}{
		{"questionType", &q.Type, false},
		{"question", &q.Question, true},
		{"answer", &q.Answer, false},
		{"answerType", &q.AnswerType, false},
	} {
		if *f.dst, err = pyString(d, f.key, f.required); err != nil {
			return aisle.Question{}, err
		}
	}
	answerTime, err := pyString(d, "answerTime", false)
	if err != nil {
		return aisle.Question{}, err
	}
	switch u := d["unixTime"].(type) {
	case nil:
		// Relative times ("14 days ago") and other forms give no time.
		if t, err := time.Parse(amazonQATimeLayout, answerTime); err == nil {
			q.AnsweredAt = t
		}
	case int64:
		if u < 0 || u > 1<<40 {
			return aisle.Question{}, fmt.Errorf("unixTime: out of range: %d", u)
		}
		q.AnsweredAt = time.Unix(u, 0).UTC()
	default:
		return aisle.Question{}, fmt.Errorf("unixTime: want an int, got %s", pyTypeName(u))
	}
	return q, nil
}

// pyString returns d[key] as a string; a missing key or None is "" (or an
// error if required).
func pyString(d map[string]any, key string, required bool) (string, error) {
	switch v := d[key].(type) {
	case string:
		return v, nil
	case nil:
		if required {
			return "", fmt.Errorf("%s: missing", key)
		}
		return "", nil
	default:
		return "", fmt.Errorf("%s: want a string, got %s", key, pyTypeName(v))
	}
}

// pyTypeName names the Python type of a parsed value.
func pyTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "None"
	case string:
		return "str"
	case int64:
		return "int"
	case float64:
		return "float"
	case bool:
		return "bool"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	}
	return fmt.Sprintf("%T", v)
}
