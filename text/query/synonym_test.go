package query

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/text/analyze"
	"github.com/google/go-cmp/cmp"
)

func TestParseSynonyms(t *testing.T) {
	an := analyze.New(analyze.Config{})
	const file = `# office synonyms
couch, sofa, settee

post it, sticky notes
biro => ballpoint pen
laptop, notebook => notebook computer, laptop computer
`
	rules, err := parseSynonyms(strings.NewReader(file), "syn.txt", an)
	if err != nil {
		t.Fatal(err)
	}
	want := []synonymRule{
		{from: [][]string{{"couch"}, {"sofa"}, {"sette"}}},
		{from: [][]string{{"post"}, {"sticki", "note"}}},
		{from: [][]string{{"biro"}}, to: [][]string{{"ballpoint", "pen"}}},
		{from: [][]string{{"laptop"}, {"notebook"}}, to: [][]string{{"notebook", "comput"}, {"laptop", "comput"}}},
	}
	if diff := cmp.Diff(rules, want, cmp.AllowUnexported(synonymRule{})); diff != "" {
		t.Errorf("(-got +want):\n%s", diff)
	}
}

func TestParseSynonymsErrors(t *testing.T) {
	tests := []struct{ file, want string }{
		{"ink, toner\nlonely\n", "syn.txt:2: want two or more phrases"},
		{"ink => toner => pen\n", "syn.txt:1: more than one \"=>\""},
		{"# c\n\nink,, toner\n", "syn.txt:3: empty phrase"},
		{"ink =>\n", "syn.txt:1: empty phrase"},
		{"pen, the\n", "syn.txt:1: \"the\" has no index terms"},
	}
	an := analyze.New(analyze.Config{})
	for _, tt := range tests {
		_, err := parseSynonyms(strings.NewReader(tt.file), "syn.txt", an)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseSynonyms(%q) = %v, want an error with %q", tt.file, err, tt.want)
		}
	}
}

// TestSynonymFile checks a synonym file's rules reach Parse: equivalent
// phrases become Synonyms, explicit ones rewrite the terms.
func TestSynonymFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "synonyms.txt")
	if err := os.WriteFile(path, []byte("phone, handset\nbiro => pen, ballpoint\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	u := tiny(t, Config{SynonymFile: path})
	tests := []struct {
		q     string
		terms []string
		syn   map[string][]string
	}{
		{"cordless phone", []string{"cordless", "phone"}, map[string][]string{"phone": {"handset"}}},
		{"blue biro", []string{"pen"}, map[string][]string{"pen": {"ballpoint"}}},
	}
	for _, tt := range tests {
		got, err := u.Parse(tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]any{got.Terms, got.Synonyms}, []any{tt.terms, tt.syn}); diff != "" {
			t.Errorf("Parse(%q) terms, synonyms (-got +want):\n%s", tt.q, diff)
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.txt")
	if err := os.WriteFile(bad, []byte("ok, fine\n=> pen\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Learn(tinyItems(), nil, analyze.New(analyze.Config{}), Config{SynonymFile: bad}); err == nil || !strings.Contains(err.Error(), bad+":2:") {
		t.Errorf("Learn with a bad synonym file = %v, want an error naming %s:2", err, bad)
	}
}

// TestLearnedFromSearches checks that searches followed by choices teach
// synonyms: shoppers searching "biro" (a word the catalog lacks) who pick
// real ballpoint pens (different ones, every fourth of them) make
// "ballpoint" a synonym of "biro".
func TestLearnedFromSearches(t *testing.T) {
	items := loadOffice(t)
	an := analyze.New(analyze.Config{})
	var pens []string
	for _, it := range items {
		if slices.Contains(an.Terms(nil, it.Title), "ballpoint") {
			pens = append(pens, it.ID)
		}
	}
	if len(pens) < 24 {
		t.Fatalf("only %d ballpoint pens", len(pens))
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var events []aisle.Event
	for i := range 6 {
		user := string(rune('a' + i))
		events = append(events,
			aisle.Event{User: user, Type: aisle.EventSearch, Query: "biro", Time: at},
			aisle.Event{User: user, Type: aisle.EventClick, Item: pens[4*i], Time: at.Add(time.Minute)},
			// Too late to count for the search.
			aisle.Event{User: user, Type: aisle.EventPurchase, Item: pens[4*i+1], Time: at.Add(2 * time.Hour)},
		)
	}
	u, err := Learn(items, events, an, Config{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := u.Parse("biro")
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(got.Terms, []string{"biro"}) || !slices.Contains(got.Synonyms["biro"], "ballpoint") {
		t.Errorf("Parse(biro) = terms %q, synonyms %q; want ballpoint among biro's synonyms", got.Terms, got.Synonyms)
	}
	// Without such searches there is no such synonym.
	without, err := Learn(items, events[:3], an, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := without.Parse("biro"); len(got.Synonyms) != 0 {
		t.Errorf("one search taught synonyms %q", got.Synonyms)
	}
}
