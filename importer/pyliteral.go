package importer

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxPyDepth bounds the nesting of lists and dicts in a Python literal.
const maxPyDepth = 64

// parsePyLiteral parses one Python literal as Python's repr writes it, the
// way the Amazon Q&A dumps are written, strictly: anything else is an error
// giving the byte offset. Values become Go values:
//
//	'str', "str", u'str'  string
//	123, -5, 123L         int64 (out of range is an error)
//	1.5, -2e-3, .5, 5.    float64 (±inf is an error)
//	True, False           bool
//	None                  nil
//	[a, b], (a, b)        []any
//	{'k': v}              map[string]any (keys must be strings, and unique)
//
// Strings take the escapes \\ \' \" \n \r \t \a \b \f \v, octal \ooo,
// \xhh, \uXXXX and \UXXXXXXXX; any other escape is an error. In a plain
// string \xhh and octal escapes are bytes (Python 2 byte strings, which the
// dumps are: "\xe2\x80\x99" is "’"); in a u-prefixed string, code points.
// \u and \U escapes are code points in both, written as UTF-8; a UTF-16
// surrogate pair is joined into one code point and a lone surrogate is an
// error. Strings may end up as invalid UTF-8; callers validate them.
// White space may surround tokens; nothing but white space may follow the
// value.
func parsePyLiteral(s string) (any, error) {
	p := &pyParser{s: s}
	p.space()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i < len(p.s) {
		return nil, p.errorf("unexpected %q after the value", p.peekToken())
	}
	return v, nil
}

// pyParser is the state of one parsePyLiteral call.
type pyParser struct {
	s string
	i int
}

func (p *pyParser) errorf(format string, args ...any) error {
	return fmt.Errorf("python literal: offset %d: %s", p.i, fmt.Sprintf(format, args...))
}

// peekToken returns a short excerpt at the current offset for errors.
func (p *pyParser) peekToken() string {
	rest := p.s[p.i:]
	if len(rest) > 10 {
		rest = rest[:10]
	}
	return rest
}

func (p *pyParser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r', '\f', '\v':
			p.i++
		default:
			return
		}
	}
}

func (p *pyParser) value(depth int) (any, error) {
	if p.i >= len(p.s) {
		return nil, p.errorf("unexpected end, want a value")
	}
	switch c := p.s[p.i]; {
	case c == '\'' || c == '"':
		return p.str(false)
	case (c == 'u' || c == 'U') && p.i+1 < len(p.s) && (p.s[p.i+1] == '\'' || p.s[p.i+1] == '"'):
		p.i++
		return p.str(true)
	case c == '-' || c == '.' || ('0' <= c && c <= '9'):
		return p.number()
	case c == '[':
		return p.seq(depth, ']')
	case c == '(':
		return p.seq(depth, ')')
	case c == '{':
		return p.dict(depth)
	case isIdentByte(c):
		start := p.i
		for p.i < len(p.s) && isIdentByte(p.s[p.i]) {
			p.i++
		}
		switch w := p.s[start:p.i]; w {
		case "True":
			return true, nil
		case "False":
			return false, nil
		case "None":
			return nil, nil
		default:
			p.i = start
			return nil, p.errorf("unknown name %q", w)
		}
	}
	return nil, p.errorf("unexpected %q, want a value", p.peekToken())
}

func isIdentByte(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// str parses a quoted string at p.i; unicode says it had a u prefix.
func (p *pyParser) str(unicode bool) (string, error) {
	q := p.s[p.i]
	start := p.i
	p.i++
	var b []byte
	lit := p.i // start of the pending literal run
	for {
		if p.i >= len(p.s) {
			p.i = start
			return "", p.errorf("unterminated string")
		}
		c := p.s[p.i]
		switch {
		case c == q:
			b = append(b, p.s[lit:p.i]...)
			p.i++
			return string(b), nil
		case c == '\n' || c == '\r':
			return "", p.errorf("line break in string")
		case c != '\\':
			p.i++
			continue
		}
		b = append(b, p.s[lit:p.i]...)
		var err error
		if b, err = p.escape(b, unicode); err != nil {
			return "", err
		}
		lit = p.i
	}
}

// escape decodes the escape sequence at p.i (at its backslash) onto b.
func (p *pyParser) escape(b []byte, unicode bool) ([]byte, error) {
	at := p.i
	if p.i+1 >= len(p.s) {
		return nil, p.errorf("unterminated string")
	}
	c := p.s[p.i+1]
	p.i += 2
	switch c {
	case '\\', '\'', '"':
		return append(b, c), nil
	case 'n':
		return append(b, '\n'), nil
	case 'r':
		return append(b, '\r'), nil
	case 't':
		return append(b, '\t'), nil
	case 'a':
		return append(b, '\a'), nil
	case 'b':
		return append(b, '\b'), nil
	case 'f':
		return append(b, '\f'), nil
	case 'v':
		return append(b, '\v'), nil
	case '0', '1', '2', '3', '4', '5', '6', '7':
		v := int(c - '0')
		for n := 1; n < 3 && p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '7'; n++ {
			v = v*8 + int(p.s[p.i]-'0')
			p.i++
		}
		if v > 0xff {
			p.i = at
			return nil, p.errorf("octal escape above \\377")
		}
		return appendByteOrRune(b, v, unicode), nil
	case 'x':
		v, err := p.hex(2)
		if err != nil {
			p.i = at
			return nil, err
		}
		return appendByteOrRune(b, int(v), unicode), nil
	case 'u', 'U':
		n := 4
		if c == 'U' {
			n = 8
		}
		v, err := p.hex(n)
		if err != nil {
			p.i = at
			return nil, err
		}
		r := rune(v)
		if utf16.IsSurrogate(r) {
			// Join a surrogate pair, as narrow Python 2 builds wrote astral
			// characters.
			if r < 0xdc00 && p.i+6 <= len(p.s) && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
				save := p.i
				p.i += 2
				lo, err := p.hex(4)
				if err == nil && 0xdc00 <= lo && lo <= 0xdfff {
					return utf8.AppendRune(b, utf16.DecodeRune(r, rune(lo))), nil
				}
				p.i = save
			}
			p.i = at
			return nil, p.errorf("lone UTF-16 surrogate in \\u escape")
		}
		if v > utf8.MaxRune {
			p.i = at
			return nil, p.errorf("\\U escape beyond U+10FFFF")
		}
		return utf8.AppendRune(b, r), nil
	}
	p.i = at
	return nil, p.errorf("unknown escape \\%c", c)
}

// hex reads exactly n hex digits.
func (p *pyParser) hex(n int) (uint32, error) {
	if p.i+n > len(p.s) {
		return 0, p.errorf("short hex escape")
	}
	v, err := strconv.ParseUint(p.s[p.i:p.i+n], 16, 32)
	if err != nil || strings.ContainsAny(p.s[p.i:p.i+n], "+-_") {
		return 0, p.errorf("bad hex escape")
	}
	p.i += n
	return uint32(v), nil
}

// appendByteOrRune appends v as a byte (plain strings) or as the UTF-8 of
// code point v (u strings).
func appendByteOrRune(b []byte, v int, unicode bool) []byte {
	if unicode {
		return utf8.AppendRune(b, rune(v))
	}
	return append(b, byte(v))
}

// number parses an int or float at p.i.
func (p *pyParser) number() (any, error) {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	intStart := p.i
	nInt := digits()
	isFloat := false
	nFrac := 0
	if p.i < len(p.s) && p.s[p.i] == '.' {
		isFloat = true
		p.i++
		nFrac = digits()
	}
	if nInt == 0 && nFrac == 0 {
		p.i = start
		return nil, p.errorf("malformed number")
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		isFloat = true
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			p.i = start
			return nil, p.errorf("malformed number exponent")
		}
	}
	text := p.s[start:p.i]
	if isFloat {
		if p.i < len(p.s) && isIdentByte(p.s[p.i]) {
			p.i = start
			return nil, p.errorf("malformed number")
		}
		f, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsInf(f, 0) {
			p.i = start
			return nil, p.errorf("float out of range")
		}
		return f, nil
	}
	if nInt > 1 && p.s[intStart] == '0' {
		p.i = start
		return nil, p.errorf("integer with a leading zero")
	}
	if p.i < len(p.s) && (p.s[p.i] == 'L' || p.s[p.i] == 'l') {
		p.i++ // Python 2 long
	}
	if p.i < len(p.s) && isIdentByte(p.s[p.i]) {
		p.i = start
		return nil, p.errorf("malformed number")
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		p.i = start
		return nil, p.errorf("integer out of range")
	}
	return n, nil
}

// seq parses a list or tuple at p.i, up to the closing byte end.
func (p *pyParser) seq(depth int, end byte) (any, error) {
	if depth >= maxPyDepth {
		return nil, p.errorf("nested deeper than %d", maxPyDepth)
	}
	p.i++
	out := []any{}
	for {
		p.space()
		if p.i < len(p.s) && p.s[p.i] == end {
			p.i++
			return out, nil
		}
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		p.space()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == end {
			p.i++
			return out, nil
		}
		return nil, p.errorf("want ',' or %q", end)
	}
}

// dict parses a dict at p.i.
func (p *pyParser) dict(depth int) (any, error) {
	if depth >= maxPyDepth {
		return nil, p.errorf("nested deeper than %d", maxPyDepth)
	}
	p.i++
	out := map[string]any{}
	for {
		p.space()
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return out, nil
		}
		keyAt := p.i
		k, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		key, ok := k.(string)
		if !ok {
			p.i = keyAt
			return nil, p.errorf("dict key is not a string")
		}
		if _, dup := out[key]; dup {
			p.i = keyAt
			return nil, p.errorf("duplicate key %q", key)
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, p.errorf("want ':' after a dict key")
		}
		p.i++
		p.space()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out[key] = v
		p.space()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return out, nil
		}
		return nil, p.errorf("want ',' or '}'")
	}
}

// formatPyLiteral writes v, a value as parsePyLiteral returns them, as a
// Python literal that parsePyLiteral reads back to an equal value. Dict
// keys are sorted; strings use single quotes and \xhh for bytes that are
// not printable UTF-8.
func formatPyLiteral(v any) string {
	var b strings.Builder
	writePy(&b, v)
	return b.String()
}

func writePy(b *strings.Builder, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		if v {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case float64:
		s := strconv.FormatFloat(v, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEn") {
			s += ".0"
		}
		b.WriteString(s)
	case string:
		writePyString(b, v)
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			writePy(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writePyString(b, k)
			b.WriteString(": ")
			writePy(b, v[k])
		}
		b.WriteByte('}')
	default:
		panic(fmt.Sprintf("formatPyLiteral: unsupported type %T", v))
	}
}

func writePyString(b *strings.Builder, s string) {
	b.WriteByte('\'')
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case '\\':
			b.WriteString(`\\`)
		case '\'':
			b.WriteString(`\'`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if c < 0x20 || c == 0x7f {
				fmt.Fprintf(b, `\x%02x`, c)
				break
			}
			if c < utf8.RuneSelf {
				b.WriteByte(c)
				break
			}
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				fmt.Fprintf(b, `\x%02x`, c)
				break
			}
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		i++
	}
	b.WriteByte('\'')
}
