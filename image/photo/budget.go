package photo

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aislehq/aisle"
)

// DefaultBudget is the size of a Budget made with a size of zero or less:
// 256 MiB of decoded pixels in flight (measured: 32 concurrent searches
// by photo of 25-megapixel PNGs keep the server with the shipped image
// model under 1 GB; docs/BENCHMARKS.md).
const DefaultBudget = 256 << 20

// Memory is returned to the operating system when a Budget drains back
// to zero after at least returnAfter bytes were given back since it last
// did, and at most once every returnEvery: one photo of 25 megapixels is
// 100 MB of pixels that the Go runtime would otherwise keep mapped, and
// after a burst of them the process would stay at its peak size until
// the scavenger slowly gives it back.
const (
	returnAfter = 64 << 20
	returnEvery = 5 * time.Second
)

// Budget bounds the memory of decoding photos: every decode reserves its
// estimated cost (Header.Cost: the pixel buffers its decoder will
// allocate, and the reduced and turned copies) before it starts and
// gives it back when it ends, so the decoded bytes in flight in the
// whole process never exceed the budget's size, however many photos
// arrive at once. Reservations are granted first come, first served.
// Share one Budget among everything that decodes photos in a process
// (uploads, search by photo, the background reader, re-encoding
// originals). A Budget is safe for concurrent use; a nil *Budget bounds
// nothing.
//
// Bytes given back are garbage until the Go runtime collects them, and
// a burst of large photos would otherwise pile up garbage to twice the
// live heap before the next collection. So given-back bytes stay
// counted until a collection has run: when a reservation waits for room
// that garbage holds, the Budget runs one (runtime.GC) and lets it in.
// Memory is returned to the operating system (debug.FreeOSMemory) when
// the Budget drains back to zero after large decodes, at most every
// few seconds.
type Budget struct {
	size int64

	// mu guards the fields below.
	mu         sync.Mutex
	used       int64 // reserved by decodes in flight
	garbage    int64 // given back since the last collection
	peak       int64
	waiters    []*budgetWaiter // in arrival order
	collecting bool            // a goroutine is running a collection
	collects   int
	released   int64     // bytes given back since memory was last returned
	returned   time.Time // when memory was last returned
	returning  bool      // memory is being returned to the OS, or will be
	returns    int
}

// budgetWaiter is one reservation waiting for room.
type budgetWaiter struct {
	n     int64
	ready chan struct{} // closed when granted
}

// NewBudget returns a Budget of size bytes; DefaultBudget when size is
// zero or less. It does no I/O.
func NewBudget(size int64) *Budget {
	if size <= 0 {
		size = DefaultBudget
	}
	return &Budget{size: size}
}

// Size returns the budget's size in bytes; 0 for a nil Budget.
func (b *Budget) Size() int64 {
	if b == nil {
		return 0
	}
	return b.size
}

// BudgetStats is what a Budget holds at one moment.
type BudgetStats struct {
	// Size is the budget in bytes; InUse is reserved now, Peak the most
	// ever reserved at once.
	Size, InUse, Peak int64
	// Garbage is given back but not yet collected; InUse + Garbage never
	// exceeds Size.
	Garbage int64
	// Waiting is how many reservations wait for room.
	Waiting int
	// Collections counts the collections run to make room; Returns the
	// times memory was returned to the OS.
	Collections, Returns int
}

// Stats returns the budget's current use; zero for a nil Budget.
func (b *Budget) Stats() BudgetStats {
	if b == nil {
		return BudgetStats{}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return BudgetStats{Size: b.size, InUse: b.used, Peak: b.peak, Garbage: b.garbage, Waiting: len(b.waiters), Collections: b.collects, Returns: b.returns}
}

// errBusy is the client's message when the budget stays full until the
// request's context ends.
const errBusy = "too many photos are being read; try again"

// Reserve takes n bytes from the budget, waiting while the budget is
// full, and returns the function that gives them back (safe to call more
// than once; only the first call counts). It returns ETOOLARGE at once
// when n alone is over the budget's size, and EUNAVAILABLE (with ctx's
// error in the chain) when ctx ends before there is room. A nil Budget
// grants everything at once.
func (b *Budget) Reserve(ctx context.Context, n int64) (release func(), err error) {
	if b == nil || n <= 0 {
		return func() {}, nil
	}
	if n > b.size {
		return nil, aisle.Errorf(aisle.ETOOLARGE, "photo needs %s to decode, more than the %s this server decodes at once", sizeText(n), sizeText(b.size))
	}
	b.mu.Lock()
	if len(b.waiters) == 0 && b.fitsLocked(n) {
		b.takeLocked(n)
		b.mu.Unlock()
		return b.releaser(n), nil
	}
	if err := ctx.Err(); err != nil {
		b.mu.Unlock()
		return nil, errors.Join(aisle.Errorf(aisle.EUNAVAILABLE, errBusy), err)
	}
	w := &budgetWaiter{n: n, ready: make(chan struct{})}
	b.waiters = append(b.waiters, w)
	b.collectLocked()
	b.mu.Unlock()
	select {
	case <-w.ready:
		return b.releaser(n), nil
	case <-ctx.Done():
	}
	b.mu.Lock()
	select {
	case <-w.ready: // granted meanwhile: give it back
		b.mu.Unlock()
		b.releaser(n)()
	default:
		for i, x := range b.waiters {
			if x == w {
				b.waiters = append(b.waiters[:i], b.waiters[i+1:]...)
				break
			}
		}
		// A large reservation leaving the head may let smaller ones in.
		b.grantLocked()
		b.mu.Unlock()
	}
	return nil, errors.Join(aisle.Errorf(aisle.EUNAVAILABLE, errBusy), ctx.Err())
}

// fitsLocked reports whether n bytes fit beside those reserved and the
// garbage not yet collected.
func (b *Budget) fitsLocked(n int64) bool { return b.used+b.garbage+n <= b.size }

// takeLocked reserves n bytes.
func (b *Budget) takeLocked(n int64) {
	b.used += n
	b.peak = max(b.peak, b.used)
}

// collectLocked starts a collection when reservations wait for room that
// garbage holds, unless one is running; once it is done, the garbage
// given back before it started is room again.
func (b *Budget) collectLocked() {
	if b.collecting || b.garbage == 0 || len(b.waiters) == 0 {
		return
	}
	b.collecting = true
	b.collects++
	g := b.garbage
	go func() {
		runtime.GC()
		b.mu.Lock()
		defer b.mu.Unlock()
		b.garbage -= min(g, b.garbage)
		b.collecting = false
		b.grantLocked()
		b.collectLocked()
	}()
}

// grantLocked grants waiting reservations in order while they fit.
func (b *Budget) grantLocked() {
	for len(b.waiters) > 0 && b.fitsLocked(b.waiters[0].n) {
		w := b.waiters[0]
		b.waiters = b.waiters[1:]
		b.takeLocked(w.n)
		close(w.ready)
	}
}

// releaser returns the function that gives n bytes back once.
func (b *Budget) releaser(n int64) func() {
	var done atomic.Bool
	return func() {
		if done.Swap(true) {
			return
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		b.used -= n
		b.garbage += n
		b.released += n
		b.grantLocked()
		b.collectLocked()
		b.returnLocked()
	}
}

// returnLocked returns memory to the operating system, off the caller's
// path (a forced collection takes a while on a large heap), when the
// budget has drained after returnAfter bytes were given back, or
// schedules it for when returnEvery has passed since the last time.
func (b *Budget) returnLocked() {
	if b.used != 0 || b.returning || b.released < returnAfter {
		return
	}
	b.returning = true
	wait := returnEvery - time.Since(b.returned)
	time.AfterFunc(max(0, wait), func() {
		b.mu.Lock()
		if b.used != 0 { // busy again: the next drain returns it
			b.returning = false
			b.mu.Unlock()
			return
		}
		b.released = 0
		b.returns++
		g := b.garbage
		b.mu.Unlock()
		debug.FreeOSMemory() // collects, then returns what is free
		b.mu.Lock()
		defer b.mu.Unlock()
		b.garbage -= min(g, b.garbage)
		b.returning, b.returned = false, time.Now()
		b.grantLocked()
	})
}

// sizeText writes n bytes in KiB or MiB, rounded up.
func sizeText(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KiB", (n+1<<10-1)>>10)
	}
	return fmt.Sprintf("%d MiB", (n+1<<20-1)>>20)
}
