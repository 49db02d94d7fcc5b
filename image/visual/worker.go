package visual

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/aislehq/aisle"
)

// Worker reads, in the background, the photos of items stored or changed
// while serving: it reads every pending photo when it opens, then those of
// the items it is told of (Observe), and scans the catalog again when it
// was told of more than it could queue.
type Worker struct {
	r      *Reader
	items  Pendings
	done   func(items []aisle.Item, vecs []aisle.ItemVector) // told of the photos read
	every  time.Duration
	logger *slog.Logger

	queue  chan []aisle.Item
	mu     sync.Mutex
	rescan bool

	stop context.CancelFunc
	wg   sync.WaitGroup
}

// Pendings finds the items whose photo is unread; *sqlite.DB satisfies
// it.
type Pendings interface {
	// ItemsWithoutVisual returns up to limit items with images but no
	// Visual.
	ItemsWithoutVisual(ctx context.Context, limit int) ([]aisle.Item, error)
}

// scanBatch is how many pending items a scan reads at a time.
const scanBatch = 256

// Worker returns a worker reading the photos of items in the background;
// done, if not nil, is called with the items whose photo was read (their
// Visual set) and the image vectors stored, to update indexes. every is how often it checks for
// photos it could not queue (default a minute). It does no I/O until
// Open.
func (r *Reader) Worker(items Pendings, done func([]aisle.Item, []aisle.ItemVector), every time.Duration) *Worker {
	if every <= 0 {
		every = time.Minute
	}
	return &Worker{r: r, items: items, done: done, every: every, logger: r.logger, queue: make(chan []aisle.Item, 64), rescan: true}
}

// Open starts the worker; it first reads every pending photo.
func (w *Worker) Open(ctx context.Context) error {
	ctx, w.stop = context.WithCancel(context.WithoutCancel(ctx))
	w.wg.Go(func() { w.loop(ctx) })
	return nil
}

// Close stops the worker and waits for the batch it is reading.
func (w *Worker) Close() error {
	if w.stop != nil {
		w.stop()
		w.wg.Wait()
	}
	return nil
}

// Observe queues the pending photos of items; it never blocks.
func (w *Worker) Observe(items []aisle.Item) {
	var todo []aisle.Item
	for i := range items {
		if Pending(&items[i]) {
			todo = append(todo, items[i])
		}
	}
	if len(todo) == 0 {
		return
	}
	select {
	case w.queue <- todo:
	default:
		w.mu.Lock()
		w.rescan = true
		w.mu.Unlock()
	}
}

func (w *Worker) loop(ctx context.Context) {
	tick := time.NewTicker(w.every)
	defer tick.Stop()
	for {
		w.mu.Lock()
		scan := w.rescan
		w.rescan = false
		w.mu.Unlock()
		if scan {
			w.scan(ctx)
		}
		select {
		case <-ctx.Done():
			return
		case items := <-w.queue:
			w.read(ctx, items)
		case <-tick.C:
		}
	}
}

// scan reads the photos of every pending item in the catalog.
func (w *Worker) scan(ctx context.Context) {
	_, err := w.r.ReadPending(ctx, w.items, scanBatch, func(items []aisle.Item, rep Report) {
		w.tell(items, rep)
	})
	if err != nil && ctx.Err() == nil {
		w.logger.Error("photos: read unread photos", "err", err)
		w.mu.Lock()
		w.rescan = true
		w.mu.Unlock()
	}
}

// ReadPending reads the photos of every pending item of store, batch
// items at a time, until none is left or a batch has only stale photos
// (their items changed meanwhile and stay pending); after each batch,
// done (if not nil) is given the batch and its Report. It returns the
// totals.
func (r *Reader) ReadPending(ctx context.Context, store Pendings, batch int, done func(items []aisle.Item, rep Report)) (Report, error) {
	var total Report
	for {
		items, err := store.ItemsWithoutVisual(ctx, batch)
		if err != nil || len(items) == 0 {
			return total, err
		}
		rep, err := r.Read(ctx, items)
		if err != nil {
			return total, err
		}
		total.Read, total.Failed, total.Stale = total.Read+rep.Read, total.Failed+rep.Failed, total.Stale+rep.Stale
		if done != nil {
			done(items, rep)
		}
		if rep.Read+rep.Failed == 0 {
			return total, nil
		}
	}
}

// read reads items' photos and tells done of those read.
func (w *Worker) read(ctx context.Context, items []aisle.Item) {
	start := time.Now()
	rep, err := w.r.Read(ctx, items)
	if err != nil {
		if ctx.Err() == nil {
			w.logger.Error("photos: read", "err", err)
		}
		return
	}
	w.logger.Info("photos read", "read", rep.Read, "failed", rep.Failed, "stale", rep.Stale, "took", time.Since(start).Round(time.Millisecond))
	w.tell(items, rep)
}

// tell gives done the items whose photo was read, and their vectors.
func (w *Worker) tell(items []aisle.Item, rep Report) {
	var read []aisle.Item
	for i := range items {
		if items[i].Visual != nil && !Pending(&items[i]) {
			read = append(read, items[i])
		}
	}
	if len(read) > 0 && w.done != nil {
		w.done(read, rep.Vectors)
	}
}

// ReadPendingReported is ReadPending in batches of 512 that says how it
// goes: a line on progress after every batch, and a summary with the
// rate on out once done (nothing when no photo was pending).
func (r *Reader) ReadPendingReported(ctx context.Context, store Pendings, progress, out io.Writer) error {
	start := time.Now()
	var shown Report
	total, err := r.ReadPending(ctx, store, 512, func(_ []aisle.Item, rep Report) {
		shown.Read, shown.Failed = shown.Read+rep.Read, shown.Failed+rep.Failed
		fmt.Fprintf(progress, "photos: %d read, %d unusable (%s)\n", shown.Read, shown.Failed, time.Since(start).Round(time.Millisecond))
	})
	if err != nil {
		return err
	}
	if n := total.Read + total.Failed; n > 0 {
		took := time.Since(start)
		fmt.Fprintf(out, "Read %d photos in %s (%.0f photos/s): %d with features, %d unusable (the items' visual.error says why).\n",
			n, took.Round(time.Millisecond), float64(n)/took.Seconds(), total.Read, total.Failed)
	}
	return nil
}
