package importer

import (
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestAmazonQAQuestion(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		want       aisle.Question
		err        string
	}{
		{"unix time", `{'questionType': 'yes/no', 'asin': 'B00004U9JP', 'answerTime': 'Jun 27, 2014', 'unixTime': 1403852400, 'question': 'Will it fit?', 'answerType': '?', 'answer': 'It did.'}`,
			aisle.Question{ID: "B00004U9JP/1", Item: "B00004U9JP", Type: "yes/no", Question: "Will it fit?", Answer: "It did.", AnswerType: "?",
				AnsweredAt: time.Date(2014, 6, 27, 7, 0, 0, 0, time.UTC)}, ""},
		{"answer time", `{'questionType': 'open-ended', 'asin': 'B1', 'answerTime': 'Apr 8, 2014', 'question': "What's it made of?", 'answer': 'Steel \'n\' glass'}`,
			aisle.Question{ID: "B1/1", Item: "B1", Type: "open-ended", Question: "What's it made of?", Answer: "Steel 'n' glass",
				AnsweredAt: time.Date(2014, 4, 8, 0, 0, 0, 0, time.UTC)}, ""},
		{"relative time", `{'asin': 'B1', 'answerTime': '14 days ago', 'question': 'Q', 'answer': None}`,
			aisle.Question{ID: "B1/1", Item: "B1", Question: "Q"}, ""},
		{"not a dict", `['B1']`, aisle.Question{}, "want a dict"},
		{"no asin", `{'question': 'Q'}`, aisle.Question{}, "asin: missing"},
		{"bad asin", `{'asin': ' B1', 'question': 'Q'}`, aisle.Question{}, "asin: must not start or end with white space"},
		{"asin type", `{'asin': 5, 'question': 'Q'}`, aisle.Question{}, "asin: want a string, got int"},
		{"no question", `{'asin': 'B1'}`, aisle.Question{}, "question: missing"},
		{"question type", `{'asin': 'B1', 'question': 'Q', 'answer': 1.5}`, aisle.Question{}, "answer: want a string, got float"},
		{"unix time type", `{'asin': 'B1', 'question': 'Q', 'unixTime': '1403852400'}`, aisle.Question{}, "unixTime: want an int, got str"},
		{"unix time range", `{'asin': 'B1', 'question': 'Q', 'unixTime': -1}`, aisle.Question{}, "unixTime: out of range"},
		{"syntax", `{'asin': 'B1', 'question': 'Q'`, aisle.Question{}, "python literal: offset 30: want ',' or '}'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := amazonQAQuestion(tc.line, map[string]int{})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(got, tc.want); d != "" {
				t.Errorf("question (-got +want):\n%s", d)
			}
		})
	}
}

func TestAmazonQASmall(t *testing.T) {
	dir := t.TempDir()
	lines := strings.Join([]string{
		`{'asin': 'A1', 'question': 'first?', 'answer': 'yes'}`,
		`{'asin': 'A1', 'question': 'first?', 'answer': 'yes'}`, // exact duplicate: kept
		`{'asin': 'A2', 'question': 'other'}`,
		`{'asin': 'A1', 'question': ''}`, // bad, but takes ordinal 3
		``,
		`not python`,
		`{'asin': 'A1', 'question': 'fourth'}`,
	}, "\n") + "\n"
	// The same content gzipped and plain gives the same result.
	plain := writeFile(t, dir, "qa_Toys.json", lines)
	gzPath := filepath.Join(dir, "qa_Toys.json.gz")
	f, err := os.Create(gzPath)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	zw.Write([]byte(lines))
	zw.Close()
	f.Close()
	for _, path := range []string{plain, gzPath} {
		db := openStore(t)
		sum := mustRun(t, db, path, Options{})
		want := Summary{
			Questions: KindCounts{Read: 6, Imported: 4, Rejected: 2},
			Rejected: []RowError{
				{path, 4, "question: must not be empty"},
				{path, 6, `python literal: offset 0: unknown name "not"`},
			},
			RejectedTotal: 2,
		}
		if d := cmp.Diff(*sum, want, cmpopts.IgnoreFields(Summary{}, "Elapsed")); d != "" {
			t.Errorf("%s: summary (-got +want):\n%s", path, d)
		}
		qs, err := db.Questions(context.Background(), "A1", 0)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, q := range qs {
			ids = append(ids, q.ID)
		}
		if d := cmp.Diff(ids, []string{"A1/1", "A1/2", "A1/4"}); d != "" {
			t.Errorf("%s: question ids (-got +want):\n%s", path, d)
		}
	}
}

func TestImportAmazonQA(t *testing.T) {
	dir := dataPath(t, "amazon-qa-appliances")
	db := openStore(t)
	sum := mustRun(t, db, dir, Options{})
	want := Summary{Questions: KindCounts{Read: 9011, Imported: 9011}}
	if d := cmp.Diff(*sum, want, cmpopts.IgnoreFields(Summary{}, "Elapsed")); d != "" {
		t.Errorf("summary (-got +want):\n%s", d)
	}
	if got, want := mustCounts(t, db), (aisle.Counts{Questions: 9011}); got != want {
		t.Errorf("counts = %+v, want %+v", got, want)
	}
	qs, err := db.Questions(context.Background(), "B00004U9JP", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 6 {
		t.Fatalf("B00004U9JP has %d questions, want 6", len(qs))
	}
	first := aisle.Question{
		ID: "B00004U9JP/1", Item: "B00004U9JP", Type: "yes/no",
		Question:   "I have a 9 year old Badger 1 that needs replacing, will this Badger 1 install just like the original one?",
		Answer:     "I replaced my old one with this without a hitch.",
		AnswerType: "?", AnsweredAt: time.Unix(1403852400, 0).UTC(),
	}
	var found bool
	for _, q := range qs {
		if q.ID == first.ID {
			found = true
			if d := cmp.Diff(q, first); d != "" {
				t.Errorf("first question (-got +want):\n%s", d)
			}
		}
	}
	if !found {
		t.Errorf("no question %s", first.ID)
	}
	// Questions name 1,153 distinct products, and the store holds all
	// 9,011 under them.
	raw, err := os.ReadFile(filepath.Join(dir, "qa_Appliances.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	asins := map[string]bool{}
	for _, m := range regexp.MustCompile(`'asin': '([^']+)'`).FindAllSubmatch(text, -1) {
		asins[string(m[1])] = true
	}
	if len(asins) != 1153 {
		t.Errorf("file names %d products, want 1153", len(asins))
	}
	stored := 0
	for a := range asins {
		qs, err := db.Questions(context.Background(), a, 0)
		if err != nil {
			t.Fatal(err)
		}
		stored += len(qs)
	}
	if stored != 9011 {
		t.Errorf("store holds %d questions under those products, want 9011", stored)
	}
}
