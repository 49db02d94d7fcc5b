package train

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// TerminalProgress returns a Progress that draws a bar of the steps when w
// is a terminal and writes a line per step ("train: [done/total] step
// (elapsed)") anywhere else; nil for a nil w.
func TerminalProgress(w io.Writer) Progress {
	if w == nil {
		return nil
	}
	start := time.Now()
	if f, ok := w.(interface{ Fd() uintptr }); !ok || !term.IsTerminal(int(f.Fd())) {
		return func(done, total int, step string) {
			fmt.Fprintf(w, "train: [%d/%d] %s (%s)\n", done, total, step, time.Since(start).Round(time.Second))
		}
	}
	var bar *progressbar.ProgressBar
	return func(done, total int, step string) {
		if bar == nil {
			bar = progressbar.NewOptions(total,
				progressbar.OptionSetWriter(w),
				progressbar.OptionShowCount(),
				progressbar.OptionSetWidth(20),
				progressbar.OptionSetElapsedTime(true),
				progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
			)
		}
		bar.ChangeMax(total)
		bar.Describe(step)
		bar.Set(done)
	}
}
