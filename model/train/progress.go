package train

import "fmt"

// Progress receives how training advances: step is what runs now, done of
// total steps have finished. It is called from the training goroutine;
// the last call has done == total and step "done".
type Progress func(done, total int, step string)

// Tracker counts a run's steps for a Progress, so that a run made of
// several parts (Tune, ModelsTracked, an experiment's evaluations) reports
// them as one sequence. A nil *Tracker, or one with a nil Progress,
// reports nothing. It is not safe for concurrent use.
type Tracker struct {
	fn          Progress
	done, total int
}

// NewTracker returns a Tracker reporting to fn a run of total steps.
func NewTracker(fn Progress, total int) *Tracker {
	return &Tracker{fn: fn, total: total}
}

// Start reports that step begins.
func (t *Tracker) Start(step string) {
	if t != nil && t.fn != nil {
		t.fn(t.done, t.total, step)
	}
}

// Finish counts one step done, reporting "done" after the last.
func (t *Tracker) Finish() {
	if t == nil {
		return
	}
	t.done++
	if t.fn != nil && t.done == t.total {
		t.fn(t.done, t.total, "done")
	}
}

// SetRemaining sets the run's total so that n steps remain, once a run
// knows how many it has left.
func (t *Tracker) SetRemaining(n int) {
	if t != nil {
		t.total = t.done + n
	}
}

// mfProgress returns a TrainMF progress callback that reports iterations
// of the running step.
func (t *Tracker) mfProgress(step string, iterations int) func(int, float64) {
	if t == nil || t.fn == nil {
		return nil
	}
	return func(it int, _ float64) {
		t.fn(t.done, t.total, fmt.Sprintf("%s, iteration %d/%d", step, it, iterations))
	}
}

// ModelSteps is how many models of c Models trains: the steps
// ModelsTracked reports.
func (c Config) ModelSteps() int {
	n := 0
	for _, m := range modelOrder {
		if !c.skips(m) {
			n++
		}
	}
	return n
}
