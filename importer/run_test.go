package importer

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// stepClock returns a clock that starts at testNow and moves on by step at
// each call.
func stepClock(step time.Duration) func() time.Time {
	t := testNow()
	return func() time.Time {
		t = t.Add(step)
		return t
	}
}

func TestSummaryText(t *testing.T) {
	for _, tc := range []struct {
		name string
		sum  Summary
		want string
	}{
		{"empty", Summary{}, "no rows read\n"},
		{"counts", Summary{
			Items:  KindCounts{Read: 12101, Imported: 12000, Updated: 100, Unchanged: 1},
			Events: KindCounts{Read: 198502, Imported: 198000, Duplicates: 500, Rejected: 2},
			Rejected: []RowError{
				{"Beauty.txt", 7, `item: unknown item "x"`},
				{"Office.item.json", 0, `item "17": title: want a string, got number`},
			},
			RejectedTotal: 2,
		}, "" +
			"items:     12,101 read, 12,000 imported, 100 updated, 1 unchanged, 0 rejected\n" +
			"events:    198,502 read, 198,000 imported, 500 duplicates, 2 rejected\n" +
			"rejected rows:\n" +
			"  Beauty.txt:7: item: unknown item \"x\"\n" +
			"  Office.item.json: item \"17\": title: want a string, got number\n"},
		{"capped dry run", Summary{
			Users:         KindCounts{Read: 5000, Rejected: 1500},
			Rejected:      []RowError{{"users.csv", 2, "id: must not be empty"}},
			RejectedTotal: 1500,
			DryRun:        true,
		}, "" +
			"users:     5,000 read, 3,500 valid, 1,500 rejected\n" +
			"nothing was written\n" +
			"rejected rows (first 1 of 1,500):\n" +
			"  users.csv:2: id: must not be empty\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.sum.String(), tc.want); d != "" {
				t.Errorf("String() (-got +want):\n%s", d)
			}
		})
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 198502: "198,502", 1234567: "1,234,567", -1234: "-1,234"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestRejectedListIsCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("id\n")
	for range MaxListedRejects + 50 {
		b.WriteString(",\n") // empty id... and two fields: rejected
	}
	b.WriteString("u1\n")
	dir := t.TempDir()
	writeFile(t, dir, "users.csv", b.String())
	db := openStore(t)
	sum := mustRun(t, db, dir, Options{})
	if sum.RejectedTotal != MaxListedRejects+50 || len(sum.Rejected) != MaxListedRejects || sum.Users.Imported != 1 {
		t.Errorf("rejected %d (listed %d), imported %d", sum.RejectedTotal, len(sum.Rejected), sum.Users.Imported)
	}
}

func TestPlainProgress(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, stepClock(time.Second))
	p.begin("events Beauty.txt", 1000, true)
	p.add(500)
	for range 512 {
		p.row()
	}
	p.end()
	// The clock reads 1s at begin, 2s at row 256 (too soon for a line),
	// 3s at row 512 and 4s at the end.
	want := "events Beauty.txt: 512 rows (50%), 2s\n" +
		"events Beauty.txt: 512 rows, done in 3s\n"
	if d := cmp.Diff(buf.String(), want); d != "" {
		t.Errorf("progress (-got +want):\n%s", d)
	}

	// A nil progress, and a meter without one, do nothing.
	var none *progress
	none.begin("x", 1, false)
	none.row()
	none.end()
	(&meter{}).add(1)
	(*meter)(nil).add(1)
}

func TestBarProgress(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, time.Now)
	p.isTTY = true // as if buf were a terminal
	p.begin("items labels.csv", 713, false)
	for range 713 {
		p.add(1)
		p.row()
	}
	p.end()
	if out := buf.String(); !strings.Contains(out, "items labels.csv") || !strings.Contains(out, "100%") {
		t.Errorf("progress bar output: %q", out)
	}
}

func TestRunProgress(t *testing.T) {
	var buf bytes.Buffer
	db := openStore(t)
	mustRunDeps(t, db, filepath.Join("testdata", "jsonl"), Options{}, Deps{Progress: &buf, Now: stepClock(time.Millisecond)})
	for _, s := range []string{
		"items " + filepath.Join("testdata", "jsonl", "items.jsonl") + ": 3 rows, done in",
		"events " + filepath.Join("testdata", "jsonl", "events.jsonl") + ": 5 rows, done in",
	} {
		if !strings.Contains(buf.String(), s) {
			t.Errorf("progress lacks %q:\n%s", s, buf.String())
		}
	}
	if isTerminal(&buf) {
		t.Error("a buffer is not a terminal")
	}
	f, err := os.CreateTemp(t.TempDir(), "progress")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("a regular file is not a terminal")
	}
}

func TestDetectFormat(t *testing.T) {
	dir := t.TempDir()
	mk := func(names ...string) string {
		d, err := os.MkdirTemp(dir, "ds")
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			writeFile(t, d, n, "")
		}
		return d
	}
	for _, tc := range []struct {
		path, want string
	}{
		{mk("Office.item.json", "Office.inter.json"), FormatLCRec},
		{mk("labels.csv"), FormatImages},
		{mk("qa_Appliances.json.gz"), FormatAmazonQA},
		{mk("Beauty.txt", "Beauty_itemid2asin.tsv"), FormatS3Rec},
		{mk("Toys.txt"), FormatS3Rec},
		{mk("items.jsonl", "events.csv", "notes.txt"), FormatAisle},
		{mk("a.txt", "b.txt"), FormatAisle},
		{filepath.Join(mk("Office.item.json"), "Office.item.json"), FormatLCRec},
		{filepath.Join(mk("items.csv"), "items.csv"), FormatAisle},
	} {
		got, err := DetectFormat(tc.path)
		if err != nil || got != tc.want {
			t.Errorf("DetectFormat(%s) = %q, %v; want %q", tc.path, got, err, tc.want)
		}
	}
	if _, err := DetectFormat(filepath.Join(dir, "nope")); err == nil {
		t.Error("DetectFormat of a missing path succeeded")
	}
}

func TestKindFilter(t *testing.T) {
	// Kind restricts a folder, and a dataset, to one kind.
	db := openStore(t)
	sum := mustRun(t, db, filepath.Join("testdata", "jsonl"), Options{Kind: KindItems})
	if sum.Items.Imported != 3 || sum.Users.Read+sum.Events.Read+sum.Questions.Read != 0 {
		t.Errorf("summary = %+v", sum)
	}
	dir := t.TempDir()
	writeFile(t, dir, "Toys.txt", "1 p1 zz\n")
	sum = mustRun(t, db, dir, Options{Kind: KindEvents})
	if sum.Events.Imported != 1 || sum.Events.Rejected != 1 || sum.Items.Read+sum.Users.Read != 0 {
		t.Errorf("summary = %+v", sum)
	}
	if _, err := Run(context.Background(), db, dir, Options{Kind: "orders"}, Deps{}, nil); err == nil {
		t.Error("unknown kind accepted")
	}
}
