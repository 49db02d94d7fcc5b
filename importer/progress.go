package importer

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// plainProgressEvery is how often plain progress lines are written.
const plainProgressEvery = 2 * time.Second

// meter counts the work done on the current input (bytes read, or rows for
// data already in memory) toward its total. A nil *meter ignores everything,
// so readers can call it unconditionally.
type meter struct {
	p *progress
}

func (m *meter) add(n int64) {
	if m == nil || m.p == nil {
		return
	}
	m.p.add(n)
}

// progress reports how an import advances, one input at a time: as a
// progress bar on a terminal, as a plain line every plainProgressEvery
// elsewhere, and not at all when there is no writer. All methods are called
// from the goroutine running the import; a nil *progress does nothing.
type progress struct {
	w     io.Writer
	now   func() time.Time
	isTTY bool

	// The current input.
	label       string
	total, done int64
	bytes       bool // done counts bytes (else rows)
	rows        int64
	start, last time.Time
	bar         *progressbar.ProgressBar
}

// newProgress returns a progress writing to w, or nil if w is nil.
func newProgress(w io.Writer, now func() time.Time) *progress {
	if w == nil {
		return nil
	}
	return &progress{w: w, now: now, isTTY: isTerminal(w)}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

// begin starts reporting one input: label names it, total is its size in
// bytes (if bytes) or rows; 0 means unknown.
func (p *progress) begin(label string, total int64, bytes bool) {
	if p == nil {
		return
	}
	p.label, p.total, p.bytes, p.done, p.rows = label, total, bytes, 0, 0
	p.start = p.now()
	p.last = p.start
	if p.isTTY && total > 0 {
		p.bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(label),
			progressbar.OptionShowBytes(bytes),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }),
		)
	}
}

// add records n more units of the current input done.
func (p *progress) add(n int64) {
	p.done += n
	if p.bar != nil {
		p.bar.Add64(n)
	}
}

// row records one more row read from the current input.
func (p *progress) row() {
	if p == nil {
		return
	}
	p.rows++
	if p.bar != nil || p.rows%256 != 0 {
		return
	}
	if now := p.now(); now.Sub(p.last) >= plainProgressEvery {
		p.last = now
		fmt.Fprintf(p.w, "%s: %s rows%s, %s\n", p.label, thousands(p.rows), p.percent(), now.Sub(p.start).Round(time.Millisecond))
	}
}

func (p *progress) percent() string {
	if p.total <= 0 {
		return ""
	}
	return fmt.Sprintf(" (%d%%)", min(100, p.done*100/p.total))
}

// end finishes the current input.
func (p *progress) end() {
	if p == nil {
		return
	}
	if p.bar != nil {
		p.bar.Finish()
		p.bar = nil
		return
	}
	fmt.Fprintf(p.w, "%s: %s rows, done in %s\n", p.label, thousands(p.rows), p.now().Sub(p.start).Round(time.Millisecond))
}
