package query

import (
	"strings"
	"testing"

	"github.com/aislehq/aisle/text/analyze"
	"github.com/google/go-cmp/cmp"
)

// cedictSample is three real CC-CEDICT lines (from cedict_ts.u8).
const cedictSample = `# CC-CEDICT
訂書機 订书机 [ding4 shu1 ji1] /stapler/stapling machine/bookbinding machine/CL:臺|台[tai2]/
筆 笔 [bi3] /pen/pencil/writing brush/to write or compose/the strokes of Chinese characters/classifier for sums of money, deals/CL:支[zhi1],枝[zhi1]/
藍牙 蓝牙 [Lan2 ya2] /Bluetooth/
`

func TestParseCEDICT(t *testing.T) {
	catalog := map[string]bool{"stapler": true, "stapl": true, "machin": true, "pen": true, "pencil": true, "write": true, "brush": true}
	got, err := parseCEDICT(strings.NewReader(cedictSample), "cedict", analyze.New(analyze.Config{}), func(s string) bool { return catalog[s] })
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][][]string{
		"订书机": {{"stapler"}, {"stapl", "machin"}},
		"訂書機": {{"stapler"}, {"stapl", "machin"}},
		"笔":   {{"pen"}, {"pencil"}, {"write", "brush"}},
		"筆":   {{"pen"}, {"pencil"}, {"write", "brush"}},
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("(-got +want):\n%s", diff)
	}
	_, err = parseCEDICT(strings.NewReader(cedictSample+"broken line\n"), "cedict", analyze.New(analyze.Config{}), func(string) bool { return true })
	if err == nil || !strings.Contains(err.Error(), "cedict:5:") {
		t.Errorf("bad line: %v, want an error naming cedict:5", err)
	}
}

// FuzzParseCEDICT checks that any input parses or fails without
// panicking, and that every kept gloss has one to three terms.
func FuzzParseCEDICT(f *testing.F) {
	f.Add(cedictSample)
	f.Add("a b [c] /d/\n")
	f.Add("x  [] //\n#\n")
	an := analyze.New(analyze.Config{})
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseCEDICT(strings.NewReader(s), "f", an, func(string) bool { return true })
		if err != nil {
			return
		}
		for w, gs := range got {
			for _, g := range gs {
				if len(g) == 0 || len(g) > 3 {
					t.Fatalf("%q: gloss %q", w, g)
				}
			}
		}
	})
}
