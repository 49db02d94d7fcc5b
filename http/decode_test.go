package http

import (
	"errors"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/google/go-cmp/cmp"
)

type decodeItem struct {
	ID    string            `json:"id"`
	N     int               `json:"n,omitempty"`
	Tags  []string          `json:"tags,omitempty"`
	Attrs map[string]string `json:"attrs,omitempty"`
}

func TestDecodeList(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    []decodeItem
		wantErr *aisle.Error
	}{
		{name: "one", body: `{"things":[{"id":"a"}]}`, want: []decodeItem{{ID: "a"}}},
		{name: "at the limit", body: `{"things":[{"id":"a"},{"id":"b"},{"id":"c"}]}`, want: []decodeItem{{ID: "a"}, {ID: "b"}, {ID: "c"}}},
		{name: "white space", body: " \n{ \"things\" : [ {\"id\":\"a\"} ,\n {\"id\":\"b\"} ] }\n ", want: []decodeItem{{ID: "a"}, {ID: "b"}}},
		{name: "over the limit", body: `{"things":[{"id":"a"},{"id":"b"},{"id":"c"},{"id":"d"}]}`,
			wantErr: &aisle.Error{Code: aisle.ETOOLARGE, Field: "things", Message: "things: more than 3 things in one request; split the batch"}},
		{name: "over the limit stops before a later error", body: `{"things":[{"id":"a"},{"id":"b"},{"id":"c"},{"id":"d"},{"id":5}]}`,
			wantErr: &aisle.Error{Code: aisle.ETOOLARGE, Field: "things", Message: "things: more than 3 things in one request; split the batch"}},
		{name: "type error names the element", body: `{"things":[{"id":"a"},{"id":"b","n":"x"}]}`,
			wantErr: &aisle.Error{Code: aisle.EINVALID, Field: "things[1].n", Message: "things[1].n: must be an integer, not string"}},
		{name: "fraction for an integer", body: `{"things":[{"id":"a","n":1.5}]}`,
			wantErr: &aisle.Error{Code: aisle.EINVALID, Field: "things[0].n", Message: "things[0].n: number 1.5 is out of range"}},
		{name: "nested type error", body: `{"things":[{"id":"a","tags":["x",{}]}]}`,
			wantErr: &aisle.Error{Code: aisle.EINVALID, Field: "things[0].tags", Message: "things[0].tags: must be a string, not object"}},
		{name: "unknown field in element", body: `{"things":[{"id":"a"},{"id":"b"},{"idd":"c"}]}`,
			wantErr: &aisle.Error{Code: aisle.EINVALID, Field: "things[2].idd", Message: "things[2].idd: unknown field"}},
		{name: "unknown top-level field", body: `{"stuff":[]}`,
			wantErr: &aisle.Error{Code: aisle.EINVALID, Field: "stuff", Message: `stuff: unknown field (the body holds only "things")`}},
		{name: "key case matters", body: `{"Things":[{"id":"a"}]}`,
			wantErr: &aisle.Error{Code: aisle.EINVALID, Field: "Things", Message: `Things: unknown field (the body holds only "things")`}},
		{name: "syntax error in a later element", body: "{\"things\":[\n{\"id\":\"a\"},\n{\"id\" \"b\"}]}",
			wantErr: &aisle.Error{Code: aisle.EINVALID, Message: "malformed JSON at line 3, column 7 (byte offset 30): invalid character '\"' after object key"}},
		{name: "syntax error in a key", body: `{"things":[], x}`,
			wantErr: &aisle.Error{Code: aisle.EINVALID, Message: "malformed JSON at line 1, column 15 (byte offset 14): invalid character 'x' looking for beginning of object key string"}},
		{name: "ends early", body: `{"things":[{"id":"a"}`,
			wantErr: &aisle.Error{Code: aisle.EINVALID, Message: "malformed JSON: the body ends in the middle of a value"}},
		{name: "null list", body: `{"things":null}`,
			wantErr: &aisle.Error{Code: aisle.EINVALID, Field: "things", Message: "things: must be an array"}},
		{name: "string element", body: `{"things":["a"]}`,
			wantErr: &aisle.Error{Code: aisle.EINVALID, Field: "things[0]", Message: "things[0]: must be an object, not string"}},
		{name: "not an object", body: `[{"id":"a"}]`,
			wantErr: &aisle.Error{Code: aisle.EINVALID, Message: "request body must be a JSON object"}},
		{name: "trailing value", body: `{"things":[{"id":"a"}]} {}`,
			wantErr: &aisle.Error{Code: aisle.EINVALID, Message: "unexpected data after the JSON value at line 1, column 25 (byte offset 24)"}},
		{name: "trailing value on the next line", body: "{\"things\":[{\"id\":\"a\"}]}\n  x",
			wantErr: &aisle.Error{Code: aisle.EINVALID, Message: "unexpected data after the JSON value at line 2, column 3 (byte offset 26)"}},
		{name: "missing", body: `{}`,
			wantErr: &aisle.Error{Code: aisle.EINVALID, Field: "things", Message: "things: required"}},
		{name: "empty", body: `{"things":[]}`,
			wantErr: &aisle.Error{Code: aisle.EINVALID, Field: "things", Message: "things: must not be empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeList[decodeItem]([]byte(tt.body), "things", 3)
			if tt.wantErr != nil {
				var e *aisle.Error
				if !errors.As(err, &e) {
					t.Fatalf("error = %v, want %v", err, tt.wantErr)
				}
				if d := cmp.Diff(e, tt.wantErr); d != "" {
					t.Errorf("error (-got +want):\n%s", d)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if d := cmp.Diff(got, tt.want); d != "" {
				t.Errorf("(-got +want):\n%s", d)
			}
		})
	}
}

func TestDecodeObject(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    decodeItem
		wantErr *aisle.Error
	}{
		{name: "ok", body: `{"id":"a","n":2,"attrs":{"k":"v"}}`, want: decodeItem{ID: "a", N: 2, Attrs: map[string]string{"k": "v"}}},
		{name: "map value type", body: `{"attrs":{"k":1}}`,
			wantErr: &aisle.Error{Code: aisle.EINVALID, Field: "attrs.k", Message: "attrs.k: must be a string, not number"}},
		{name: "unknown field", body: `{"nn":1}`,
			wantErr: &aisle.Error{Code: aisle.EINVALID, Field: "nn", Message: "nn: unknown field"}},
		{name: "number body", body: `42`,
			wantErr: &aisle.Error{Code: aisle.EINVALID, Message: "request body must be a JSON object"}},
		{name: "garbage", body: `hello`,
			wantErr: &aisle.Error{Code: aisle.EINVALID, Message: "malformed JSON at line 1, column 1 (byte offset 0): invalid character 'h' looking for beginning of value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got decodeItem
			err := decodeObject([]byte(tt.body), &got)
			if tt.wantErr != nil {
				var e *aisle.Error
				if !errors.As(err, &e) {
					t.Fatalf("error = %v, want %v", err, tt.wantErr)
				}
				if d := cmp.Diff(e, tt.wantErr); d != "" {
					t.Errorf("error (-got +want):\n%s", d)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if d := cmp.Diff(got, tt.want); d != "" {
				t.Errorf("(-got +want):\n%s", d)
			}
		})
	}
}

func TestPosition(t *testing.T) {
	body := []byte("ab\ncd\n\nef")
	tests := []struct {
		offset    int64
		line, col int
		off       int64
	}{
		{0, 1, 1, 0}, {1, 1, 1, 0}, {2, 1, 2, 1}, {3, 1, 3, 2}, {4, 2, 1, 3}, {5, 2, 2, 4},
		{7, 3, 1, 6}, {8, 4, 1, 7}, {9, 4, 2, 8}, {99, 4, 3, 9},
	}
	for _, tt := range tests {
		line, col, off := position(body, tt.offset)
		if line != tt.line || col != tt.col || off != tt.off {
			t.Errorf("position(%d) = %d:%d @%d, want %d:%d @%d", tt.offset, line, col, off, tt.line, tt.col, tt.off)
		}
	}
}

func TestInvalidUTF8At(t *testing.T) {
	tests := map[string]int{"": -1, "abc": -1, "aé": -1, "a\xffb": 1, "é\xc3": 2, "\xed\xa0\x80": 0}
	for s, want := range tests {
		if got := invalidUTF8At([]byte(s)); got != want {
			t.Errorf("invalidUTF8At(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestQueryParams(t *testing.T) {
	type result struct {
		N       int
		Bought  bool
		Exclude []string
		Err     string
	}
	parse := func(raw string) result {
		r := httptest.NewRequest("GET", "/x?"+raw, nil)
		q, err := queryParams(r)
		if err != nil {
			return result{Err: aisle.ErrorMessage(err)}
		}
		var res result
		if res.N, err = intParam(q, "n", 10, 1, 200); err != nil {
			return result{Err: aisle.ErrorMessage(err)}
		}
		if res.Bought, err = boolParam(q, "bought"); err != nil {
			return result{Err: aisle.ErrorMessage(err)}
		}
		if res.Exclude, err = idListParam(q, "exclude", 3); err != nil {
			return result{Err: aisle.ErrorMessage(err)}
		}
		return res
	}
	tests := []struct {
		query string
		want  result
	}{
		{"", result{N: 10}},
		{"n=&bought=", result{N: 10}},
		{"n=1&bought=true", result{N: 1, Bought: true}},
		{"n=200&bought=0", result{N: 200}},
		{"n=201", result{Err: `n: must be an integer from 1 to 200, not "201"`}},
		{"n=1e2", result{Err: `n: must be an integer from 1 to 200, not "1e2"`}},
		{"n=%2B5", result{N: 5}},
		{"n=+5", result{Err: `n: must be an integer from 1 to 200, not " 5"`}},
		{"n=" + strings.Repeat("9", 100), result{Err: `n: must be an integer from 1 to 200, not "` + strings.Repeat("9", 64) + `…"`}},
		{"n=1&n=2", result{Err: "n: given more than once"}},
		{"bought=yes", result{Err: `bought: must be true or false, not "yes"`}},
		{"exclude=a,b&exclude=c", result{N: 10, Exclude: []string{"a", "b", "c"}}},
		{"exclude=a,,b,", result{N: 10, Exclude: []string{"a", "b"}}},
		{"exclude=a,b,c,d", result{Err: "exclude: more than 3 ids"}},
		{"exclude=" + url.QueryEscape("a, b"), result{Err: "exclude: must not start or end with white space"}},
		{"n=%zz", result{Err: "malformed query string"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			if d := cmp.Diff(parse(tt.query), tt.want); d != "" {
				t.Errorf("(-got +want):\n%s", d)
			}
		})
	}
}

func FuzzDecodeList(f *testing.F) {
	for _, s := range []string{
		`{"events":[{"user":"u","item":"i","type":"view"}]}`,
		`{"events":[{"user":"u","type":"rating","value":1.5,"timestamp":"2024-01-01T00:00:00Z","context":{"a":"b"}}]}`,
		`{"events":[]}`, `{}`, `[]`, `null`, `{"events":[1,2]}`, `{"events":[{"x":1}]} x`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := decodeList[aisle.Event](body, "events", 5)
		if err == nil {
			if len(events) == 0 || len(events) > 5 {
				t.Fatalf("decoded %d events without error", len(events))
			}
			return
		}
		if code := aisle.ErrorCode(err); code != aisle.EINVALID && code != aisle.ETOOLARGE {
			t.Fatalf("error code %q (%v), want invalid or too_large", code, err)
		}
	})
}
