package importer

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aislehq/aisle"
)

// Store is what Run writes to; *sqlite.DB satisfies it. Each method must
// validate and write its whole batch atomically, as aisle.Store documents.
type Store interface {
	// UpsertItems writes a batch of items (aisle.ItemStore).
	UpsertItems(ctx context.Context, items []aisle.Item) (aisle.UpsertStats, error)
	// UpsertUsers writes a batch of users (aisle.UserStore).
	UpsertUsers(ctx context.Context, users []aisle.User) (aisle.UpsertStats, error)
	// AppendEvents writes a batch of events (aisle.EventStore).
	AppendEvents(ctx context.Context, events []aisle.Event) (aisle.AppendStats, error)
	// UpsertQuestions writes a batch of questions (aisle.QuestionStore).
	UpsertQuestions(ctx context.Context, qs []aisle.Question) (aisle.UpsertStats, error)
	// Items returns the items that exist among ids; Run uses it to check
	// that events name known items.
	Items(ctx context.Context, ids []string) (map[string]aisle.Item, error)
}

// Formats Run reads; see the package documentation for each.
const (
	FormatAisle    = "aisle"
	FormatS3Rec    = "s3rec"
	FormatLCRec    = "lcrec"
	FormatImages   = "images"
	FormatAmazonQA = "amazonqa"
)

// Kinds of rows, imported in this order: events need their items first.
const (
	KindItems     = "items"
	KindUsers     = "users"
	KindQuestions = "questions"
	KindEvents    = "events"
)

var kindOrder = [...]string{KindItems, KindUsers, KindQuestions, KindEvents}

// DefaultBatchSize is the number of rows written per store call when
// Options.BatchSize is 0.
const DefaultBatchSize = 5000

// Options configure Run. The zero value imports the format detected from
// the path, writing good rows and skipping bad ones.
type Options struct {
	// Format is one of FormatAisle, FormatS3Rec, FormatLCRec, FormatImages
	// or FormatAmazonQA; "" means DetectFormat(path).
	Format string
	// Kind restricts the import to one kind of row: KindItems, KindUsers,
	// KindQuestions or KindEvents; "" imports every kind the input holds.
	// For a single file in the aisle format it also says what the file
	// holds, which is otherwise inferred from its name (items*.jsonl,
	// users*.csv, events*, questions*).
	Kind string
	// Strict makes any bad row fail the whole import: Run reads and
	// validates everything first and writes nothing if a row is bad,
	// returning a *RejectedError.
	Strict bool
	// DryRun reads and validates everything and writes nothing.
	DryRun bool
	// BatchSize is the number of rows per store call (one transaction);
	// 0 means DefaultBatchSize.
	BatchSize int
}

// Deps are what Run reports its progress to and reads the time from. The
// zero value reports nothing and reads time.Now.
type Deps struct {
	// Progress receives progress reports; nil means none. A terminal gets
	// a progress bar, anything else a plain line every two seconds and one
	// at the end of each input.
	Progress io.Writer
	// Now is the clock used to reject events dated in the future and to
	// time the import; nil means time.Now.
	Now func() time.Time
}

// RejectedError is returned by Run with Options.Strict when rows are bad.
// Nothing has been written.
type RejectedError struct {
	// Total counts the bad rows; Rows lists the first MaxListedRejects.
	Total int
	Rows  []RowError
}

// maxErrorRows is how many rows a RejectedError's message lists.
const maxErrorRows = 10

// Error lists the first bad rows, one per line.
func (e *RejectedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d bad rows, nothing written:", e.Total)
	for i, r := range e.Rows {
		if i == maxErrorRows {
			fmt.Fprintf(&b, "\n\t... and %d more", e.Total-i)
			break
		}
		b.WriteString("\n\t" + r.Error())
	}
	return b.String()
}

// Run imports the file or dataset folder at path into dst and reports what
// it did. Bad rows are skipped and listed in the Summary; good rows are
// written in batches, items first, then users, questions and events.
//
// Errors: inputs that cannot be found, opened or read, whole-file JSON that
// is malformed, CSV headers with unknown columns, store failures and
// context cancellation end the run with an error. Problems found before
// anything is written (missing files, bad headers, malformed whole-file
// JSON) leave the store untouched; later ones leave the batches already
// written in place, and re-running the import is then safe, because rows
// are upserted and dataset events have deterministic ids. With
// Options.Strict a bad row gives a *RejectedError and nothing is written.
// The Summary is non-nil whenever the run got as far as reading rows.
//
// Run may be called concurrently if dst is safe for concurrent use; imports
// into one store then interleave their batches.
//
// logger receives debug lines about each rejected row and an info line at
// the end; nil discards them.
func Run(ctx context.Context, dst Store, path string, opts Options, deps Deps, logger *slog.Logger) (*Summary, error) {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	switch opts.Kind {
	case "", KindItems, KindUsers, KindQuestions, KindEvents:
	default:
		return nil, fmt.Errorf("unknown kind %q (want items, users, questions or events)", opts.Kind)
	}
	if opts.Format == "" {
		f, err := DetectFormat(path)
		if err != nil {
			return nil, err
		}
		opts.Format = f
	}
	start := deps.Now()
	p, err := newPlan(ctx, path, &opts)
	if err != nil {
		return nil, err
	}
	if opts.Kind != "" {
		p.keepOnly(opts.Kind)
	}
	if opts.Strict || opts.DryRun {
		sum, err := newRunner(dst, opts, deps, logger, false).run(ctx, p)
		if sum != nil {
			sum.DryRun = true
			sum.Elapsed = deps.Now().Sub(start)
		}
		if err != nil || opts.DryRun {
			return sum, err
		}
		if sum.RejectedTotal > 0 {
			return sum, &RejectedError{Total: sum.RejectedTotal, Rows: sum.Rejected}
		}
	}
	sum, err := newRunner(dst, opts, deps, logger, true).run(ctx, p)
	if sum != nil {
		sum.Elapsed = deps.Now().Sub(start)
	}
	return sum, err
}

// newPlan finds and checks the inputs at path for opts.Format.
func newPlan(ctx context.Context, path string, opts *Options) (*plan, error) {
	switch opts.Format {
	case FormatAisle:
		return aislePlan(path, opts.Kind)
	case FormatS3Rec:
		return s3recPlan(ctx, path)
	case FormatLCRec:
		return lcrecPlan(path)
	case FormatImages:
		return imagesPlan(path)
	case FormatAmazonQA:
		return amazonQAPlan(path)
	}
	return nil, fmt.Errorf("unknown format %q (want aisle, s3rec, lcrec, images or amazonqa)", opts.Format)
}

// plan is the inputs of one import, by kind. Sources can be read more than
// once (a strict import reads them twice).
type plan struct {
	items     []source[aisle.Item]
	users     []source[aisle.User]
	questions []source[aisle.Question]
	events    []source[aisle.Event]
}

// keepOnly drops every kind but k.
func (p *plan) keepOnly(k string) {
	if k != KindItems {
		p.items = nil
	}
	if k != KindUsers {
		p.users = nil
	}
	if k != KindQuestions {
		p.questions = nil
	}
	if k != KindEvents {
		p.events = nil
	}
}

// source is one input of rows of type T.
type source[T any] struct {
	// file names the input in RowErrors and progress.
	file string
	// total is the input's size for progress: bytes read from disk if
	// bytes, else rows; 0 means unknown.
	total int64
	bytes bool
	// read calls emit with each row in order, counting its progress into m.
	// It returns emit's first error, or a read error.
	read func(ctx context.Context, m *meter, emit func(rec[T]) error) error
}

// rec is one row from a source: a value, or why the row is bad.
type rec[T any] struct {
	line int
	v    T
	// file, if set, is where the row comes from when that is not the
	// source's file (datasets merge rows from several files).
	file string
	// err, if set, rejects the row; v is then unused.
	err error
	// count is how many rows a rejected rec stands for (0 means 1), and
	// silent says it was already listed under another kind.
	count  int
	silent bool
}

// runner runs one pass over a plan.
type runner struct {
	dst   Store
	opts  Options
	write bool
	now   time.Time
	log   *slog.Logger
	prog  *progress
	sum   *Summary
	// known caches item existence: true if the item is valid in this
	// import or in the store, false if looked up and missing.
	known map[string]bool
}

func newRunner(dst Store, opts Options, deps Deps, logger *slog.Logger, write bool) *runner {
	r := &runner{
		dst:   dst,
		opts:  opts,
		write: write,
		now:   deps.Now(),
		log:   logger,
		sum:   &Summary{},
		known: make(map[string]bool),
	}
	// A strict import reports progress during its writing pass only.
	if write || !opts.Strict {
		r.prog = newProgress(deps.Progress, deps.Now)
	}
	return r
}

// run imports every kind in order and returns the summary so far, with the
// first error that stopped it.
func (r *runner) run(ctx context.Context, p *plan) (*Summary, error) {
	err := runKind(ctx, r, kindRun[aisle.Item]{
		kind: KindItems,
		validate: func(it *aisle.Item, _ int) error {
			it.Normalize()
			if err := it.Validate(); err != nil {
				return err
			}
			r.known[it.ID] = true
			return nil
		},
		write: func(ctx context.Context, v []aisle.Item) (aisle.UpsertStats, aisle.AppendStats, error) {
			st, err := r.dst.UpsertItems(ctx, v)
			return st, aisle.AppendStats{}, err
		},
	}, p.items)
	if err == nil {
		err = runKind(ctx, r, kindRun[aisle.User]{
			kind:     KindUsers,
			validate: func(u *aisle.User, _ int) error { return u.Validate() },
			write: func(ctx context.Context, v []aisle.User) (aisle.UpsertStats, aisle.AppendStats, error) {
				st, err := r.dst.UpsertUsers(ctx, v)
				return st, aisle.AppendStats{}, err
			},
		}, p.users)
	}
	if err == nil {
		err = runKind(ctx, r, kindRun[aisle.Question]{
			kind:     KindQuestions,
			validate: func(q *aisle.Question, _ int) error { return q.Validate() },
			write: func(ctx context.Context, v []aisle.Question) (aisle.UpsertStats, aisle.AppendStats, error) {
				st, err := r.dst.UpsertQuestions(ctx, v)
				return st, aisle.AppendStats{}, err
			},
		}, p.questions)
	}
	if err == nil {
		err = runKind(ctx, r, kindRun[aisle.Event]{
			kind: KindEvents,
			validate: func(e *aisle.Event, line int) error {
				if err := e.Validate(r.now); err != nil {
					return err
				}
				if e.ID == "" {
					e.ID = derivedEventID(line, e)
				}
				return nil
			},
			prepare: r.checkEventItems,
			write: func(ctx context.Context, v []aisle.Event) (aisle.UpsertStats, aisle.AppendStats, error) {
				st, err := r.dst.AppendEvents(ctx, v)
				return aisle.UpsertStats{}, st, err
			},
		}, p.events)
	}
	s := r.sum
	if r.write {
		r.log.Info("import finished",
			"items", s.Items.Imported, "items_updated", s.Items.Updated,
			"users", s.Users.Imported, "questions", s.Questions.Imported,
			"events", s.Events.Imported, "event_duplicates", s.Events.Duplicates,
			"rejected", s.RejectedTotal, "err", err)
	}
	return s, err
}

// reject records a bad row of kind k.
func (r *runner) reject(k, file string, line int, err error, n int, silent bool) {
	if n <= 0 {
		n = 1
	}
	r.sum.counts(k).Rejected += n
	if silent {
		return
	}
	re := RowError{File: file, Line: line, Reason: reason(err)}
	r.sum.RejectedTotal++
	if len(r.sum.Rejected) < MaxListedRejects {
		r.sum.Rejected = append(r.sum.Rejected, re)
	}
	r.log.Debug("row rejected", "kind", k, "file", re.File, "line", re.Line, "reason", re.Reason)
}

// reason turns a row's error into the words of a RowError: the client-safe
// message of an *aisle.Error (which names the field), else the error text.
func reason(err error) string {
	if aisle.ErrorCode(err) != aisle.EINTERNAL {
		return aisle.ErrorMessage(err)
	}
	return err.Error()
}

// pending is a valid row waiting in a batch.
type pending[T any] struct {
	file string
	line int
	v    T
}

// kindRun says how to validate and write one kind.
type kindRun[T any] struct {
	kind string
	// validate checks (and may normalize) one row read from line.
	validate func(v *T, line int) error
	// prepare, if set, drops rows from a full batch before it is written,
	// rejecting them.
	prepare func(ctx context.Context, batch []pending[T]) ([]pending[T], error)
	// write stores a batch, returning upsert or append counts.
	write func(ctx context.Context, v []T) (aisle.UpsertStats, aisle.AppendStats, error)
}

// runKind reads every source of one kind, rejecting bad rows and writing
// good ones in batches of r.opts.BatchSize (when r.write).
func runKind[T any](ctx context.Context, r *runner, k kindRun[T], srcs []source[T]) error {
	if len(srcs) == 0 {
		return nil
	}
	c := r.sum.counts(k.kind)
	// List this kind's rejected rows in file and line order.
	firstRejected := len(r.sum.Rejected)
	defer func() {
		slices.SortStableFunc(r.sum.Rejected[firstRejected:], func(a, b RowError) int {
			return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
		})
	}()
	batch := make([]pending[T], 0, r.opts.BatchSize)
	vals := make([]T, 0, r.opts.BatchSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if k.prepare != nil {
			var err error
			if batch, err = k.prepare(ctx, batch); err != nil {
				return err
			}
		}
		if r.write && len(batch) > 0 {
			vals = vals[:0]
			for _, p := range batch {
				vals = append(vals, p.v)
			}
			us, as, err := k.write(ctx, vals)
			if err != nil {
				return fmt.Errorf("write %s from %s:%d: %w", k.kind, batch[0].file, batch[0].line, err)
			}
			c.Imported += us.Inserted + as.Accepted
			c.Updated += us.Updated
			c.Unchanged += us.Unchanged
			c.Duplicates += as.Duplicates
		}
		clear(batch)
		batch = batch[:0]
		return nil
	}
	for _, src := range srcs {
		if err := ctx.Err(); err != nil {
			return err
		}
		r.prog.begin(k.kind+" "+src.file, src.total, src.bytes)
		n := 0
		err := src.read(ctx, &meter{p: r.prog}, func(row rec[T]) error {
			n++
			if n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			r.prog.row()
			file := src.file
			if row.file != "" {
				file = row.file
			}
			if row.err != nil {
				c.Read += max(row.count, 1)
				r.reject(k.kind, file, row.line, row.err, row.count, row.silent)
				return nil
			}
			c.Read++
			if err := k.validate(&row.v, row.line); err != nil {
				r.reject(k.kind, file, row.line, err, 1, false)
				return nil
			}
			batch = append(batch, pending[T]{file: file, line: row.line, v: row.v})
			if len(batch) >= r.opts.BatchSize {
				return flush()
			}
			return nil
		})
		r.prog.end()
		if err != nil {
			return err
		}
	}
	return flush()
}

// checkEventItems rejects the events of a batch whose item is neither in
// this import nor in the store.
func (r *runner) checkEventItems(ctx context.Context, batch []pending[aisle.Event]) ([]pending[aisle.Event], error) {
	var missing []string
	for _, p := range batch {
		id := p.v.Item
		if _, ok := r.known[id]; !ok && id != "" {
			r.known[id] = false
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		found, err := r.dst.Items(ctx, missing)
		if err != nil {
			return nil, fmt.Errorf("look up event items: %w", err)
		}
		for id := range found {
			r.known[id] = true
		}
	}
	out := batch[:0]
	for _, p := range batch {
		if p.v.Item != "" && !r.known[p.v.Item] {
			r.reject(KindEvents, p.file, p.line, fmt.Errorf("item: unknown item %q (not in the store or this import)", p.v.Item), 1, false)
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

// derivedEventID gives an event that has no id one derived from its line
// number and content, so importing the same file again reports it as a
// duplicate instead of storing it twice.
func derivedEventID(line int, e *aisle.Event) string {
	b, _ := json.Marshal(e) // an aisle.Event always marshals
	sum := sha256.Sum256(append(strconv.AppendInt(nil, int64(line), 10), b...))
	return "import:" + hex.EncodeToString(sum[:12])
}
