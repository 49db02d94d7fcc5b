package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// objectEntry is one key of a file holding a single JSON object.
type objectEntry struct {
	key   string
	value json.RawMessage
	// line is the 1-based line of the key.
	line int
}

// readJSONObject reads the file at path (gzipped or not), which must hold
// one JSON object, and returns its entries in file order, duplicates
// included. Malformed JSON is an error naming the file and byte offset.
func readJSONObject(path string) ([]objectEntry, error) {
	f, err := openFile(path, nil)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(f.r)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	entries, err := parseJSONObject(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return entries, nil
}

// parseJSONObject splits data, one JSON object, into its entries.
func parseJSONObject(data []byte) ([]objectEntry, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	fail := func(err error) error {
		// The streaming decoder's offsets are not file offsets: find the
		// error again with a whole-file scan.
		off := dec.InputOffset()
		var v any
		if uerr := json.Unmarshal(data, &v); uerr != nil {
			err = uerr
			if se, ok := errors.AsType[*json.SyntaxError](uerr); ok {
				off = se.Offset
				if strings.HasPrefix(se.Error(), "invalid character") {
					off-- // the offending byte
				}
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = errors.New("unexpected end of JSON input")
		}
		return fmt.Errorf("invalid JSON at line %d, byte offset %d: %w", newLineIndex(data).lineAt(off), off, err)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, fail(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("want one JSON object, found %v at byte offset %d", tok, dec.InputOffset())
	}
	idx := newLineIndex(data)
	var entries []objectEntry
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fail(err)
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fail(fmt.Errorf("want a key, found %v", tok))
		}
		e := objectEntry{key: key, line: idx.lineAt(dec.InputOffset())}
		if err := dec.Decode(&e.value); err != nil {
			return nil, fail(err)
		}
		entries = append(entries, e)
	}
	if _, err := dec.Token(); err != nil {
		return nil, fail(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("unexpected data after the JSON object at byte offset %d", dec.InputOffset())
	}
	return entries, nil
}

// memSource emits rows already in memory; progress counts rows.
func memSource[T any](file string, rows []rec[T]) source[T] {
	return source[T]{
		file:  file,
		total: int64(len(rows)),
		read: func(ctx context.Context, m *meter, emit func(rec[T]) error) error {
			for _, r := range rows {
				m.add(1)
				if err := emit(r); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
