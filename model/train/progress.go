package train

import "fmt"

// Progress receives how training advances: step is what runs now, done of
// total steps have finished. It is called from the training goroutine;
// the last call has done == total and step "done".
type Progress func(done, total int, step string)

// tracker counts a run's steps for a Progress; a nil fn reports nothing.
type tracker struct {
	fn          Progress
	done, total int
}

// start reports that step begins.
func (t *tracker) start(step string) {
	if t != nil && t.fn != nil {
		t.fn(t.done, t.total, step)
	}
}

// finish counts one step done.
func (t *tracker) finish() {
	if t == nil {
		return
	}
	t.done++
	if t.fn != nil && t.done == t.total {
		t.fn(t.done, t.total, "done")
	}
}

// mfProgress returns a TrainMF progress callback that reports iterations
// of the running step.
func (t *tracker) mfProgress(step string, iterations int) func(int, float64) {
	if t == nil || t.fn == nil {
		return nil
	}
	return func(it int, _ float64) {
		t.fn(t.done, t.total, fmt.Sprintf("%s, iteration %d/%d", step, it, iterations))
	}
}

// modelSteps is how many models of cfg Models trains.
func (c Config) modelSteps() int {
	n := 0
	for _, m := range modelOrder {
		if !c.skips(m) {
			n++
		}
	}
	return n
}
