package importer

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// MaxListedRejects is how many rejected rows a Summary lists; the rest are
// only counted.
const MaxListedRejects = 100

// RowError is one rejected input row: where it is and why it was skipped.
type RowError struct {
	// File is the input file's path, as given to Run or joined to the
	// dataset folder given to Run.
	File string
	// Line is the 1-based line of the row. For a file holding one JSON
	// object it is the line of the entry's key; 0 means not known.
	Line int
	// Reason says what is wrong, naming the field when there is one.
	Reason string
}

// Error returns "file:line: reason" ("file: reason" when Line is 0).
func (e RowError) Error() string {
	if e.Line <= 0 {
		return e.File + ": " + e.Reason
	}
	return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Reason
}

// KindCounts counts what an import did with the rows of one kind.
type KindCounts struct {
	// Read counts every row read, good or bad. After a complete run
	// Read = Imported + Updated + Unchanged + Duplicates + Rejected, except
	// in a dry run, which writes nothing (Read - Rejected rows were valid).
	Read int `json:"read"`
	// Imported counts rows that were new to the store.
	Imported int `json:"imported"`
	// Updated counts items, users and questions that existed and changed.
	Updated int `json:"updated"`
	// Unchanged counts items, users and questions equal to the stored ones.
	Unchanged int `json:"unchanged"`
	// Duplicates counts events whose id was already stored.
	Duplicates int `json:"duplicates"`
	// Rejected counts bad rows, which were skipped.
	Rejected int `json:"rejected"`
}

// Summary is the outcome of Run.
type Summary struct {
	// Items, Users, Questions and Events count the rows of each kind.
	Items     KindCounts `json:"items"`
	Users     KindCounts `json:"users"`
	Questions KindCounts `json:"questions"`
	Events    KindCounts `json:"events"`
	// Rejected lists the first MaxListedRejects rejected rows found, kind
	// by kind (items, users, questions, events), each kind in file and line
	// order; RejectedTotal counts them all.
	Rejected      []RowError `json:"rejected,omitempty"`
	RejectedTotal int        `json:"rejected_total"`
	// DryRun is set when nothing was written: Options.DryRun, or a strict
	// import that found bad rows.
	DryRun bool `json:"dry_run,omitempty"`
	// Elapsed is how long Run took.
	Elapsed time.Duration `json:"elapsed"`
}

// counts returns the counts for kind k.
func (s *Summary) counts(k string) *KindCounts {
	switch k {
	case KindItems:
		return &s.Items
	case KindUsers:
		return &s.Users
	case KindQuestions:
		return &s.Questions
	default:
		return &s.Events
	}
}

// String returns the text WriteTo writes.
func (s *Summary) String() string {
	var b strings.Builder
	s.WriteTo(&b)
	return b.String()
}

// WriteTo writes a human-readable summary to w: one line per kind read
// (imported, updated, unchanged or duplicate, rejected), then the listed
// rejected rows as file:line: reason.
func (s *Summary) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	any := false
	for _, k := range kindOrder {
		c := s.counts(k)
		if c.Read == 0 {
			continue
		}
		any = true
		fmt.Fprintf(&b, "%-10s %s read", k+":", thousands(int64(c.Read)))
		switch {
		case s.DryRun:
			fmt.Fprintf(&b, ", %s valid", thousands(int64(c.Read-c.Rejected)))
		case k == KindEvents:
			fmt.Fprintf(&b, ", %s imported, %s duplicates", thousands(int64(c.Imported)), thousands(int64(c.Duplicates)))
		default:
			fmt.Fprintf(&b, ", %s imported, %s updated, %s unchanged", thousands(int64(c.Imported)), thousands(int64(c.Updated)), thousands(int64(c.Unchanged)))
		}
		fmt.Fprintf(&b, ", %s rejected\n", thousands(int64(c.Rejected)))
	}
	if !any {
		b.WriteString("no rows read\n")
	}
	if s.DryRun {
		b.WriteString("nothing was written\n")
	}
	if s.RejectedTotal > 0 {
		if len(s.Rejected) < s.RejectedTotal {
			fmt.Fprintf(&b, "rejected rows (first %d of %s):\n", len(s.Rejected), thousands(int64(s.RejectedTotal)))
		} else {
			b.WriteString("rejected rows:\n")
		}
		for _, e := range s.Rejected {
			b.WriteString("  " + e.Error() + "\n")
		}
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// thousands formats n with comma separators: 198502 → "198,502".
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
