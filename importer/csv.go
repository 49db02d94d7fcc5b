package importer

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// csvSchema maps the columns of an aisle-format CSV file onto a T.
type csvSchema[T any] struct {
	// required columns must be in the header.
	required []string
	// cols sets a field from a cell, or says why the cell is bad.
	cols map[string]func(*T, string) error
	// Columns named prefix+name go to setPrefixed (if prefix is set).
	prefix      string
	setPrefixed func(v *T, name, s string)
}

// bind returns one setter per header column, or an error naming the first
// unknown, duplicate or missing column.
func (s *csvSchema[T]) bind(header []string) ([]func(*T, string) error, error) {
	setters := make([]func(*T, string) error, len(header))
	seen := make(map[string]bool)
	for i, h := range header {
		h = strings.TrimSpace(h)
		if seen[h] {
			return nil, fmt.Errorf("column %q appears twice", h)
		}
		seen[h] = true
		if set, ok := s.cols[h]; ok {
			setters[i] = set
			continue
		}
		if s.prefix != "" && strings.HasPrefix(h, s.prefix) && len(h) > len(s.prefix) {
			name := h[len(s.prefix):]
			setters[i] = func(v *T, cell string) error { s.setPrefixed(v, name, cell); return nil }
			continue
		}
		return nil, fmt.Errorf("unknown column %q (known: %s)", h, s.known())
	}
	for _, r := range s.required {
		if !seen[r] {
			return nil, fmt.Errorf("missing column %q", r)
		}
	}
	return setters, nil
}

// known lists the schema's columns for error messages.
func (s *csvSchema[T]) known() string {
	names := make([]string, 0, len(s.cols)+1)
	for n := range s.cols {
		names = append(names, n)
	}
	sort.Strings(names)
	if s.prefix != "" {
		names = append(names, s.prefix+"<name>")
	}
	return strings.Join(names, ", ")
}

// csvSource checks the header of the CSV file at path against schema and
// returns a source reading its rows.
func csvSource[T any](path string, schema *csvSchema[T]) (source[T], error) {
	f, err := openFile(path, nil)
	if err != nil {
		return source[T]{}, err
	}
	_, _, err = readCSVHeader(csv.NewReader(f.r), schema)
	f.Close()
	if err != nil {
		return source[T]{}, fmt.Errorf("%s: %w", path, err)
	}
	return source[T]{
		file:  path,
		total: fileSize(path),
		bytes: true,
		read: func(ctx context.Context, m *meter, emit func(rec[T]) error) error {
			f, err := openFile(path, m)
			if err != nil {
				return err
			}
			defer f.Close()
			if err := readCSV(f.r, schema, emit); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			return nil
		},
	}, nil
}

// readCSVHeader reads the header row and binds it.
func readCSVHeader[T any](cr *csv.Reader, schema *csvSchema[T]) ([]string, []func(*T, string) error, error) {
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, errors.New("empty file: want a header row")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read header: %w", err)
	}
	header = slices.Clone(header)
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	setters, err := schema.bind(header)
	if err != nil {
		return nil, nil, fmt.Errorf("line 1: %w", err)
	}
	return header, setters, nil
}

// readCSV reads a header and then emits one T per row, or why the row is
// bad. It returns a header error, a read error or emit's error.
func readCSV[T any](r io.Reader, schema *csvSchema[T], emit func(rec[T]) error) error {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, setters, err := readCSVHeader(cr, schema)
	if err != nil {
		return err
	}
	lastOffset := int64(-1)
	for {
		fields, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			pe, ok := errors.AsType[*csv.ParseError](err)
			if !ok {
				return err
			}
			// A reader that makes no progress would loop forever.
			if off := cr.InputOffset(); off == lastOffset {
				return err
			} else {
				lastOffset = off
			}
			if err := emit(rec[T]{line: pe.StartLine, err: errors.New("CSV: " + pe.Err.Error())}); err != nil {
				return err
			}
			continue
		}
		lastOffset = cr.InputOffset()
		line, _ := cr.FieldPos(0)
		row := rec[T]{line: line}
		if len(fields) != len(header) {
			row.err = fmt.Errorf("has %d fields, the header has %d", len(fields), len(header))
		} else {
			for i, cell := range fields {
				if err := setters[i](&row.v, cell); err != nil {
					row.err = err
					break
				}
			}
		}
		if err := emit(row); err != nil {
			return err
		}
	}
}
