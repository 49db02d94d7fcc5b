package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/internal/jsonkind"
)

// readBody reads a request body that will be decoded as JSON. It rejects a
// missing Content-Type or one other than application/json (a browser can
// send a cross-site request without asking first only with the form and
// text types, so requiring JSON makes it ask; CORS then decides), a
// charset other than UTF-8, bodies over Config.MaxBodyBytes, empty bodies
// and bodies that are not valid UTF-8 (encoding/json would silently
// replace the bad bytes).
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if err := jsonContentType(r.Header.Get("Content-Type")); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, aisle.Errorf(aisle.ETOOLARGE, "request body is larger than the limit of %d bytes", tooLarge.Limit)
	case err != nil:
		return nil, errors.Join(aisle.Errorf(aisle.EINVALID, "could not read the request body"), err)
	case len(bytes.TrimSpace(body)) == 0:
		return nil, aisle.Errorf(aisle.EINVALID, "request body is empty: send a JSON object")
	case !utf8.Valid(body):
		return nil, aisle.Errorf(aisle.EINVALID, "request body is not valid UTF-8 (first bad byte at offset %d)", invalidUTF8At(body))
	}
	return body, nil
}

// jsonContentType checks the Content-Type of a JSON body:
// application/json, with no charset or charset=utf-8.
func jsonContentType(ct string) error {
	if ct == "" {
		return aisle.Errorf(codeUnsupportedMediaType, "Content-Type is missing: send the body as application/json")
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return aisle.Errorf(codeUnsupportedMediaType, "Content-Type must be application/json, not %q", clip(ct))
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
		return aisle.Errorf(codeUnsupportedMediaType, "charset %q is not supported: send UTF-8 (charset=utf-8, or none)", clip(cs))
	}
	for name := range params {
		if name != "charset" {
			return aisle.Errorf(codeUnsupportedMediaType, "Content-Type parameter %q is not supported", clip(name))
		}
	}
	return nil
}

// invalidUTF8At returns the offset of the first byte of b that is not part
// of valid UTF-8, or -1.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

// decodeObject decodes body, which must hold exactly one JSON object, into
// v. Fields v does not have are rejected. Errors are *aisle.Error with code
// EINVALID saying what is wrong and where.
func decodeObject(body []byte, v any) error {
	if err := checkSyntax(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, "", body)
	}
	return nil
}

// decodeList decodes a body of the form {"<key>": [...]} into a list of at
// most max elements. It decodes element by element, so errors name the
// element ("events[2].value") and an over-long list is rejected with
// ETOOLARGE as soon as the element past the limit is seen. The list must
// not be empty.
func decodeList[T any](body []byte, key string, max int) ([]T, error) {
	if err := checkSyntax(body); err != nil {
		return nil, err
	}
	// The body is one valid JSON object: the tokens below cannot fail.
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if _, err := dec.Token(); err != nil { // the object's '{'
		return nil, jsonError(err, "", nil)
	}
	var (
		list  []T
		found bool
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonError(err, "", nil)
		}
		switch name, _ := tok.(string); {
		case name != key:
			return nil, aisle.FieldErrorf(aisle.EINVALID, clip(name), "unknown field (the body holds only %q)", key)
		case found:
			return nil, aisle.FieldErrorf(aisle.EINVALID, key, "given more than once")
		}
		found = true
		if tok, err = dec.Token(); err != nil {
			return nil, jsonError(err, "", nil)
		}
		if tok != json.Delim('[') {
			return nil, aisle.FieldErrorf(aisle.EINVALID, key, "must be an array")
		}
		for i := 0; dec.More(); i++ {
			if i == max {
				return nil, aisle.FieldErrorf(aisle.ETOOLARGE, key, "more than %d %s in one request; split the batch", max, key)
			}
			var v T
			if err := dec.Decode(&v); err != nil {
				return nil, jsonError(err, fmt.Sprintf("%s[%d]", key, i), listElement(body, key, i))
			}
			list = append(list, v)
		}
		if _, err := dec.Token(); err != nil { // the array's ']'
			return nil, jsonError(err, "", nil)
		}
	}
	switch {
	case !found:
		return nil, aisle.FieldErrorf(aisle.EINVALID, key, "required")
	case len(list) == 0:
		return nil, aisle.FieldErrorf(aisle.EINVALID, key, "must not be empty")
	}
	return list, nil
}

// checkSyntax reports where body stops being one JSON object: malformed
// JSON, data after the value, or a value that is not an object. It scans
// the whole body first because encoding/json's streaming decoder reports
// offsets relative to the value it was reading, not to the body.
func checkSyntax(body []byte) error {
	var (
		err    error
		syntax *json.SyntaxError
	)
	if !json.Valid(body) {
		var raw json.RawMessage
		err = json.Unmarshal(body, &raw) // scans all of body before decoding
	}
	switch {
	case err == nil:
	case !errors.As(err, &syntax):
		return jsonError(err, "", nil)
	case strings.HasPrefix(syntax.Error(), "unexpected end of JSON input"):
		return aisle.Errorf(aisle.EINVALID, "malformed JSON: the body ends in the middle of a value")
	case strings.HasSuffix(syntax.Error(), "after top-level value"):
		line, col, off := position(body, syntax.Offset)
		return aisle.Errorf(aisle.EINVALID, "unexpected data after the JSON value at line %d, column %d (byte offset %d)", line, col, off)
	default:
		line, col, off := position(body, syntax.Offset)
		return aisle.Errorf(aisle.EINVALID, "malformed JSON at line %d, column %d (byte offset %d): %s", line, col, off, syntax.Error())
	}
	if b := bytes.TrimLeft(body, " \t\r\n"); len(b) == 0 || b[0] != '{' {
		return aisle.Errorf(aisle.EINVALID, "request body must be a JSON object")
	}
	return nil
}

// jsonError turns an error from encoding/json, decoding a body that
// checkSyntax accepted, into an *aisle.Error saying what is wrong and
// where; prefix is the path of the value being decoded ("events[2]"), or
// "" for the whole body, and raw is that value's JSON when known (it lets
// a bad time name its field, which encoding/json does not say).
func jsonError(err error, prefix string, raw []byte) error {
	var (
		typ     *json.UnmarshalTypeError
		badTime *time.ParseError
		bug     *json.InvalidUnmarshalError
	)
	switch {
	case errors.As(err, &typ):
		field := joinField(prefix, typ.Field)
		if field == "" {
			return aisle.Errorf(aisle.EINVALID, "request body must be a JSON object, not %s", typ.Value)
		}
		if num, ok := strings.CutPrefix(typ.Value, "number "); ok {
			return aisle.FieldErrorf(aisle.EINVALID, field, "number %s is out of range", clip(num))
		}
		if typ.Type.Kind() == reflect.String {
			// A map of strings ("attributes") names the member.
			if key := nonStringMember(raw, typ.Field); key != "" {
				field = joinField(field, clip(key))
			}
		}
		return aisle.FieldErrorf(aisle.EINVALID, field, "must be %s, not %s", jsonkind.Of(typ.Type), typ.Value)
	case errors.As(err, &badTime):
		return aisle.FieldErrorf(aisle.EINVALID, joinField(prefix, badTimeField(raw)), "invalid time %q: want RFC 3339, such as \"2024-05-01T12:00:00Z\"", clip(badTime.Value))
	case errors.As(err, &bug):
		return fmt.Errorf("decode request: %w", err)
	case strings.Contains(err.Error(), "Time.UnmarshalJSON"):
		// time.Time's own error for a value that is not a string.
		return aisle.FieldErrorf(aisle.EINVALID, joinField(prefix, badTimeField(raw)), "must be a string holding an RFC 3339 time, such as \"2024-05-01T12:00:00Z\"")
	}
	// encoding/json has no type for unknown fields.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if n, qerr := strconv.Unquote(name); qerr == nil {
			name = n
		}
		return aisle.FieldErrorf(aisle.EINVALID, joinField(prefix, clip(name)), "unknown field")
	}
	// What remains are syntax errors checkSyntax would have caught and
	// errors of other UnmarshalJSON methods; both describe the input, not
	// the server.
	return aisle.FieldErrorf(aisle.EINVALID, prefix, "invalid JSON value: %s", clip(strings.TrimPrefix(err.Error(), "json: ")))
}

// badTimeField returns the name of the member of the JSON object raw
// whose value is not a valid time, or "" when raw is not an object or no
// member is a bad time. It is only called on the error path.
func badTimeField(raw []byte) string {
	var members map[string]json.RawMessage
	if json.Unmarshal(raw, &members) != nil {
		return ""
	}
	for _, name := range slices.Sorted(maps.Keys(members)) {
		v := members[name]
		if len(v) == 0 || v[0] == '{' || v[0] == '[' || string(v) == "null" {
			continue
		}
		var t time.Time
		if err := json.Unmarshal(v, &t); err != nil && isTimeField(name) {
			return name
		}
	}
	return ""
}

// nonStringMember returns the name of the first member (in document
// order) whose value is not a string, of the object at path (JSON member
// names joined by dots) in the JSON object raw; "" when there is none.
// It is only called on the error path.
func nonStringMember(raw []byte, path string) string {
	v := json.RawMessage(raw)
	for name := range strings.SplitSeq(path, ".") {
		var members map[string]json.RawMessage
		if name == "" || json.Unmarshal(v, &members) != nil {
			return ""
		}
		if v = members[name]; v == nil {
			return ""
		}
	}
	dec := json.NewDecoder(bytes.NewReader(v))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return ""
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return ""
		}
		if name, _ := tok.(string); len(val) > 0 && val[0] != '"' {
			return name
		}
	}
	return ""
}

// isTimeField reports whether an API field holds a time: by the API's
// naming, "timestamp" and the "*_at" fields.
func isTimeField(name string) bool {
	return name == "timestamp" || strings.HasSuffix(name, "_at")
}

// listElement returns the raw JSON of element i of the array under key in
// body, or nil. It is only called on the error path.
func listElement(body []byte, key string, i int) []byte {
	var obj map[string][]json.RawMessage
	if json.Unmarshal(body, &obj) != nil || i >= len(obj[key]) {
		return nil
	}
	return obj[key][i]
}

// joinField joins a field path prefix and a path below it.
func joinField(prefix, field string) string {
	switch {
	case prefix == "":
		return field
	case field == "":
		return prefix
	}
	return prefix + "." + field
}

// position returns the 1-based line and column, and the 0-based offset, of
// the byte encoding/json's scanner stopped at (its offsets count the bytes
// read, the bad one included).
func position(body []byte, offset int64) (line, col int, off int64) {
	i := int(min(max(offset-1, 0), int64(len(body))))
	before := body[:i]
	line = 1 + bytes.Count(before, []byte("\n"))
	col = i - bytes.LastIndexByte(before, '\n')
	return line, col, int64(i)
}

// clip shortens s for quoting in an error message.
func clip(s string) string {
	const n = 64
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// queryParams parses the request's query string strictly: malformed
// escapes are rejected instead of silently dropped.
func queryParams(r *http.Request) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, aisle.Errorf(aisle.EINVALID, "malformed query string")
	}
	return q, nil
}

// param returns the single value of query parameter name, or "" when it
// is absent or empty.
func param(q url.Values, name string) (string, error) {
	switch vs := q[name]; len(vs) {
	case 0:
		return "", nil
	case 1:
		return vs[0], nil
	default:
		return "", aisle.FieldErrorf(aisle.EINVALID, name, "given more than once")
	}
}

// intParam returns query parameter name as an integer in [lo, hi], or def
// when it is absent.
func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	v, err := param(q, name)
	if err != nil || v == "" {
		return def, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, aisle.FieldErrorf(aisle.EINVALID, name, "must be an integer from %d to %d, not %q", lo, hi, clip(v))
	}
	return n, nil
}

// boolParam returns query parameter name as a boolean, false when absent.
func boolParam(q url.Values, name string) (bool, error) {
	v, err := param(q, name)
	if err != nil || v == "" {
		return false, err
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, aisle.FieldErrorf(aisle.EINVALID, name, "must be true or false, not %q", clip(v))
	}
	return b, nil
}

// stringParam returns query parameter name, at most maxBytes of valid
// UTF-8, or "" when absent.
func stringParam(q url.Values, name string, maxBytes int) (string, error) {
	v, err := param(q, name)
	switch {
	case err != nil:
		return "", err
	case len(v) > maxBytes:
		return "", aisle.FieldErrorf(aisle.EINVALID, name, "longer than %d bytes", maxBytes)
	case !utf8.ValidString(v):
		return "", aisle.FieldErrorf(aisle.EINVALID, name, "not valid UTF-8")
	}
	return v, nil
}

// idListParam returns query parameter name as a list of ids, given as
// comma-separated values, repeated parameters, or both; at most max ids.
func idListParam(q url.Values, name string, max int) ([]string, error) {
	var ids []string
	for _, v := range q[name] {
		for id := range strings.SplitSeq(v, ",") {
			if id == "" {
				continue
			}
			if err := aisle.ValidateID(name, id); err != nil {
				return nil, err
			}
			if len(ids) == max {
				return nil, aisle.FieldErrorf(aisle.EINVALID, name, "more than %d ids", max)
			}
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// pathID returns path parameter name, checked with aisle.ValidateID.
func pathID(r *http.Request, name string) (string, error) {
	id := r.PathValue(name)
	if err := aisle.ValidateID(name, id); err != nil {
		return "", err
	}
	return id, nil
}
