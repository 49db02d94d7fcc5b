package recommend

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// errClosed is what an erasure still waiting for its retrain gets when
// the engine closes.
var errClosed = errors.New("engine closed")

// ErrRetrainPending is wrapped, with the context's error, in what
// ForgetUser returns when its context ends before the co-occurrence
// retrain it waits for: the user's memory and popularity are gone and the
// item pairs they had are hidden, but other neighbour weights still count
// them until the retrain, which completes in the background.
var ErrRetrainPending = errors.New("co-occurrence retrain still running")

// erasure is a user ForgetUser erased, numbered in order (gen).
type erasure struct {
	user string
	gen  uint64
}

// pass is one retrain of co-occurrence that erasures wait for: every
// erasure that arrives before it starts joins it.
type pass struct {
	done chan struct{} // closed when it has finished
	err  error         // set before done is closed
}

// ForgetUser takes a user who was erased, with all their events, from
// the store (the caller has deleted them) out of everything the engine
// serves. When it returns nil:
//
//   - their recent items and purchases are forgotten, so Recommend treats
//     them as an unknown shopper, and search's Affinity has no profile of
//     theirs;
//   - popularity has lost exactly their contribution (each item they
//     touched loses one shopper and that shopper's decayed weight);
//   - item-to-item co-occurrence has been retrained without their
//     sequences (from the sequences the last build read, so it costs
//     the training alone: about as long as the co-occurrence part of a
//     build). The pairs of items they had together are hidden from
//     similar items the moment ForgetUser is called, before the retrain.
//
// Erasures coalesce: each waits for one retrain that starts after its
// call, so a burst of them costs about two retrains. ForgetUser blocks
// until then (on Office, 53,258 events, about 80 ms; on the scale test's
// 10,000,000, about 30 s), or until ctx ends: then it returns an error
// wrapping ErrRetrainPending and ctx's error, the pairs stay hidden and
// the retrain completes in the background. Erasing an unknown user, or
// one the last build did not see, costs no retrain. After Close, or
// before Open, the retrain runs in the caller.
//
// Not covered: a model version `aisle train` saved keeps the aggregate
// weights it learned from the user's events until the next training
// (their own history, its input, is gone at once, so nothing personal is
// served from it); fused vectors and the built-in text encoder are part
// of that version. Item vectors come from item texts and photos only.
// The activity clock keeps the gaps it has seen.
//
// It is safe for concurrent use, with every other method.
func (e *Engine) ForgetUser(ctx context.Context, id string) error {
	// Registered first, so that a build swapping in models read before
	// the erasure takes it out of them.
	e.forgetMu.Lock()
	e.forgetGen++
	e.erasures = append(e.erasures, erasure{id, e.forgetGen})
	if co := e.co.Load(); co != nil {
		e.storeCoLocked(co.withHidden(co.pairsOf(id, e.cfg.Window)))
	}
	p := e.next
	if p == nil {
		p = &pass{done: make(chan struct{})}
		e.next = p
	}
	looping := e.looping
	e.forgetMu.Unlock()

	e.memMu.Lock()
	e.applyLocked(func(m *memory) { delete(m.bought, id); delete(m.recent, id) })
	e.memMu.Unlock()
	e.mu.Lock()
	if e.pop != nil {
		e.pop.forget(id)
	}
	e.mu.Unlock()
	e.forgetProfile(id)

	if looping {
		select {
		case e.kick <- struct{}{}:
		default: // a kick is pending: that pass takes this erasure too
		}
	} else {
		e.runPass(ctx) // not opened, or closed: in the caller
	}
	select {
	case <-p.done:
		if p.err != nil {
			return fmt.Errorf("forget user %s: %w", id, p.err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("forget user %s: %w: %w", id, ErrRetrainPending, ctx.Err())
	}
}

// forgetLoop runs the passes erasures wait for until ctx ends; a pass
// not started by then fails.
func (e *Engine) forgetLoop(ctx context.Context) {
	defer e.loops.Done()
	for {
		select {
		case <-ctx.Done():
			e.forgetMu.Lock()
			e.looping = false
			if p := e.next; p != nil {
				e.next = nil
				p.err = errClosed
				close(p.done)
			}
			e.forgetMu.Unlock()
			return
		case <-e.kick:
			e.runPass(ctx)
		}
	}
}

// runPass runs the pass erasures are waiting for, if any.
func (e *Engine) runPass(ctx context.Context) {
	e.forgetMu.Lock()
	p := e.next
	e.next = nil
	e.forgetMu.Unlock()
	if p == nil {
		return
	}
	p.err = e.retrain(ctx)
	if p.err != nil && ctx.Err() == nil {
		e.logger.Error("retrain co-occurrence after erasure", "err", p.err)
	}
	close(p.done)
}

// retrain retrains co-occurrence without the users erased since the
// serving one was trained.
func (e *Engine) retrain(ctx context.Context) error {
	e.coMu.Lock()
	defer e.coMu.Unlock()
	co := e.co.Load()
	if co == nil {
		return nil // not built yet: the first build reads the store as it is now
	}
	gone, clean := e.erasedSince(co.clean)
	next := co
	if d := withoutUsers(co.d, gone); d != co.d {
		e.retrains.Add(1)
		var err error
		if next, err = buildCoOccurrence(ctx, d, e.cfg.Window, e.cfg.Neighbors); err != nil {
			return fmt.Errorf("co-occurrence: %w", err)
		}
	} else {
		next = &CoOccurrence{m: co.m, d: co.d}
	}
	next.clean = clean
	e.install(next)
	return nil
}

// erasedSince returns the users erased after generation gen and the
// latest generation.
func (e *Engine) erasedSince(gen uint64) (map[string]bool, uint64) {
	e.forgetMu.Lock()
	defer e.forgetMu.Unlock()
	users := make(map[string]bool)
	for _, x := range e.erasures {
		if x.gen > gen {
			users[x.user] = true
		}
	}
	return users, e.forgetGen
}

// install serves co, freshly trained on sequences without the erasures
// up to co.clean: the pairs of users erased since are hidden from it
// until a retrain.
func (e *Engine) install(co *CoOccurrence) {
	e.forgetMu.Lock()
	defer e.forgetMu.Unlock()
	for _, x := range e.erasures {
		if x.gen > co.clean {
			co.hide(co.pairsOf(x.user, e.cfg.Window))
		}
	}
	e.storeCoLocked(co)
	e.pruneErasuresLocked()
}

// storeCoLocked serves co. e.forgetMu must be held: a swap must not lose
// the pairs an erasure hid.
func (e *Engine) storeCoLocked(co *CoOccurrence) { e.co.Store(co) }

// pruneErasuresLocked drops the erasures no model can still hold: older
// than what co was trained on, and than a running build's scan.
// e.forgetMu must be held.
func (e *Engine) pruneErasuresLocked() {
	keepAfter := e.forgetGen
	if co := e.co.Load(); co != nil {
		keepAfter = co.clean
	}
	if e.scanning {
		keepAfter = min(keepAfter, e.scanGen)
	}
	e.erasures = slices.DeleteFunc(e.erasures, func(x erasure) bool { return x.gen <= keepAfter })
}
