package importer

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePyLiteral(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want any
	}{
		{`'abc'`, "abc"},
		{`"abc"`, "abc"},
		{`''`, ""},
		{`u'caf\xe9'`, "café"},
		{`'caf\xc3\xa9'`, "café"},
		{`'it\'s'`, "it's"},
		{`"it's"`, "it's"},
		{`'say "hi"'`, `say "hi"`},
		{`'back\\slash'`, `back\slash`},
		{`'a\nb\tc\rd'`, "a\nb\tc\rd"},
		{`'\a\b\f\v\0'`, "\a\b\f\v\x00"},
		{`'\101\1012'`, "AA2"},
		{`'\u00e9\U0001F600'`, "é😀"},
		{`u'\ud83d\ude00'`, "😀"},
		{"'raw ümlaut\ttab'", "raw ümlaut\ttab"},
		{`0`, int64(0)},
		{`-12`, int64(-12)},
		{`1403852400`, int64(1403852400)},
		{`1403852400L`, int64(1403852400)},
		{`9223372036854775807`, int64(math.MaxInt64)},
		{`1.5`, 1.5},
		{`-2e-3`, -0.002},
		{`.5`, 0.5},
		{`5.`, 5.0},
		{`1E3`, 1000.0},
		{`True`, true},
		{`False`, false},
		{`None`, nil},
		{`[]`, []any{}},
		{`[1, 'a', None,]`, []any{int64(1), "a", nil}},
		{`(1, 2)`, []any{int64(1), int64(2)}},
		{`(1,)`, []any{int64(1)}},
		{`{}`, map[string]any{}},
		{` { 'a' : 1 , "b":[True] , } `, map[string]any{"a": int64(1), "b": []any{true}}},
		{`{'questionType': 'yes/no', 'asin': 'B00004U9JP', 'answerTime': 'Jun 27, 2014', 'unixTime': 1403852400, 'question': 'Will it fit?', 'answerType': '?', 'answer': 'I replaced my old one.'}`,
			map[string]any{"questionType": "yes/no", "asin": "B00004U9JP", "answerTime": "Jun 27, 2014", "unixTime": int64(1403852400),
				"question": "Will it fit?", "answerType": "?", "answer": "I replaced my old one."}},
	} {
		got, err := parsePyLiteral(tc.in)
		if err != nil {
			t.Errorf("parsePyLiteral(%s): %v", tc.in, err)
			continue
		}
		if d := cmp.Diff(got, tc.want); d != "" {
			t.Errorf("parsePyLiteral(%s) (-got +want):\n%s", tc.in, d)
		}
	}
}

func TestParsePyLiteralErrors(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{``, "offset 0: unexpected end, want a value"},
		{`'abc`, "offset 0: unterminated string"},
		{`'abc\`, "unterminated string"},
		{"'a\nb'", "offset 2: line break in string"},
		{`'\q'`, `offset 1: unknown escape \q`},
		{`'\x4'`, "bad hex escape"},
		{`'\x'`, "short hex escape"},
		{`'\xzz'`, "bad hex escape"},
		{`'\u12'`, "short hex escape"},
		{`'\ud83d'`, "lone UTF-16 surrogate"},
		{`'\ude00\ud83d'`, "lone UTF-16 surrogate"},
		{`'\U00110000'`, "beyond U+10FFFF"},
		{`'\777'`, `octal escape above \377`},
		{`'a' 'b'`, `offset 4: unexpected "'b'" after the value`},
		{`'''x'''`, "after the value"},
		{`b'x'`, `unknown name "b"`},
		{`r'x'`, `unknown name "r"`},
		{`true`, `unknown name "true"`},
		{`Truex`, `unknown name "Truex"`},
		{`null`, `unknown name "null"`},
		{`007`, "leading zero"},
		{`0x1f`, "malformed number"},
		{`1_000`, "malformed number"},
		{`9223372036854775808`, "integer out of range"},
		{`1e999`, "float out of range"},
		{`-`, "malformed number"},
		{`- 1`, "malformed number"},
		{`+1`, `unexpected "+1"`},
		{`1e`, "malformed number exponent"},
		{`inf`, `unknown name "inf"`},
		{`[1 2]`, `want ',' or ']'`},
		{`[1,`, "unexpected end"},
		{`(1]`, `want ',' or ')'`},
		{`{1: 2}`, "dict key is not a string"},
		{`{'a' 1}`, "want ':'"},
		{`{'a': 1 'b': 2}`, "want ',' or '}'"},
		{`{'a': 1, 'a': 2}`, `duplicate key "a"`},
		{`{'a': 1`, "want ',' or '}'"},
		{strings.Repeat("[", maxPyDepth+1), "nested deeper than 64"},
		{`{'a': 1}}`, "after the value"},
	} {
		_, err := parsePyLiteral(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parsePyLiteral(%q) error = %v, want it to contain %q", tc.in, err, tc.want)
		}
	}
}

func TestFormatPyLiteral(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
	}{
		{map[string]any{"b": []any{int64(1), 2.0, -0.5, 1e21, nil, true, false}, "a": "it's\n\x01\xff é"},
			`{'a': 'it\'s\n\x01\xff é', 'b': [1, 2.0, -0.5, 1e+21, None, True, False]}`},
	} {
		got := formatPyLiteral(tc.in)
		if got != tc.want {
			t.Errorf("formatPyLiteral = %s, want %s", got, tc.want)
		}
		back, err := parsePyLiteral(got)
		if err != nil || !reflect.DeepEqual(back, tc.in) {
			t.Errorf("parsePyLiteral(%s) = %#v, %v; want %#v", got, back, err, tc.in)
		}
	}
}

// FuzzPyLiteral checks that the parser never panics and that anything it
// accepts survives formatting and parsing again unchanged.
func FuzzPyLiteral(f *testing.F) {
	for _, s := range []string{
		`{'questionType': 'yes/no', 'asin': 'B00004U9JP', 'answerTime': 'Jun 27, 2014', 'unixTime': 1403852400, 'question': 'I have a 9 year old Badger 1 that needs replacing, will this Badger 1 install just like the original one?', 'answerType': '?', 'answer': 'I replaced my old one with this without a hitch.'}`,
		`{'questionType': 'open-ended', 'asin': 'B00004U9JP', 'answerTime': 'Apr 28, 2014', 'unixTime': 1398668400, 'question': 'model number', 'answer': 'This may help InSinkErator Model BADGER-1'}`,
		`{'questionType': 'yes/no', 'asin': 'B0000', 'answerTime': '14 days ago', 'question': "Won\'t it \"leak\"?", 'answerType': 'N', 'answer': 'No \\ never'}`,
		`{"a": [1, 2.5, -3e-7, (4,), None, True, False, {}], u'b\u00e9\U0001F600': '\x41\101\n'}`,
		`'\ud83d\ude00'`, `1L`, `.5e+3`, `[[[[]]]]`, `'\xff\xfe'`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parsePyLiteral(s)
		if err != nil {
			return
		}
		out := formatPyLiteral(v)
		back, err := parsePyLiteral(out)
		if err != nil {
			t.Fatalf("formatted %q as %q, which does not parse: %v", s, out, err)
		}
		if !reflect.DeepEqual(v, back) {
			t.Fatalf("%q parsed as %#v, formatted as %q, parsed again as %#v", s, v, out, back)
		}
		if again := formatPyLiteral(back); again != out {
			t.Fatalf("formatting is not stable: %q then %q", out, again)
		}
	})
}
