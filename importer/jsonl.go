package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aislehq/aisle/internal/jsonkind"
)

// jsonlSource reads a JSON Lines file of T, one object a line. Blank lines
// are skipped.
func jsonlSource[T any](path string) source[T] {
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
			return readJSONL(f.r, emit)
		},
	}
}

// readJSONL decodes each line of r into a T and emits it, or emits why the
// line is bad. It returns emit's error or a read error.
func readJSONL[T any](r io.Reader, emit func(rec[T]) error) error {
	lr := newLineReader(r)
	for {
		line, n, err := lr.next()
		switch {
		case err == io.EOF:
			return nil
		case errors.Is(err, errLineTooLong):
			if err := emit(rec[T]{line: n, err: err}); err != nil {
				return err
			}
			continue
		case err != nil:
			return fmt.Errorf("read line %d: %w", n+1, err)
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var row rec[T]
		row.line = n
		row.err = decodeJSONObject(line, &row.v)
		if err := emit(row); err != nil {
			return err
		}
	}
}

// decodeJSONObject decodes one JSON object into v, rejecting unknown fields
// and anything after the object. Errors read well as a RowError reason.
func decodeJSONObject(data []byte, v any) error {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return errors.New("want a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errors.New(jsonReason(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("unexpected data after the JSON object at column %d", dec.InputOffset()+1)
	}
	return nil
}

// jsonReason rewrites an encoding/json error in the words of a RowError
// reason, naming the field when there is one.
func jsonReason(err error) string {
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return fmt.Sprintf("invalid JSON at column %d: %s", se.Offset, se.Error())
	}
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		what := fmt.Sprintf("want %s, got %s", jsonkind.Of(te.Type), te.Value)
		if te.Field == "" {
			return what
		}
		return te.Field + ": " + what
	}
	if pe, ok := errors.AsType[*time.ParseError](err); ok {
		return fmt.Sprintf("time %s is not RFC 3339", pe.Value)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "truncated JSON object"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}
