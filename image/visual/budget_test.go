package visual

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/photo"
	"github.com/aislehq/aisle/image/photo/phototest"
)

// TestUploadChecksCheapThingsFirst: a photo over the limits is refused
// from its header before the item is looked up, and a photo for an
// unknown item is refused before its pixels are decoded.
func TestUploadChecksCheapThingsFirst(t *testing.T) {
	ctx := context.Background()
	m, _, _ := setup(t)
	budget := photo.NewBudget(64 << 20)
	r := New(&meanEncoder{}, "image:test", Deps{Fetch: m, Originals: m, Store: m, Budget: budget}, Config{}, nil)
	if _, err := r.Upload(ctx, "nope", m.files["bomb.png"]); aisle.ErrorCode(err) != aisle.ETOOLARGE || m.itemCalls != 0 {
		t.Errorf("bomb: %v after %d item lookups, want ETOOLARGE before any", err, m.itemCalls)
	}
	big := phototest.SolidPNG(3000, 3000, 0, 0, 0) // 36 MB of pixels, in a few KB
	if _, err := r.Upload(ctx, "nope", big); aisle.ErrorCode(err) != aisle.ENOTFOUND {
		t.Errorf("unknown item: %v, want ENOTFOUND", err)
	}
	if s := budget.Stats(); s.Peak != 0 {
		t.Errorf("a photo for an unknown item was decoded (%d bytes reserved)", s.Peak)
	}
	m.UpsertItems(ctx, []aisle.Item{{ID: "a", Title: "A"}})
	it, err := r.Upload(ctx, "a", big)
	if err != nil || it.Visual == nil || it.Visual.Width != 3000 {
		t.Fatalf("upload: %+v, %v", it.Visual, err)
	}
	if s := budget.Stats(); s.Peak == 0 || s.InUse != 0 {
		t.Errorf("budget %+v: the upload's decode did not reserve, or kept, its memory", s)
	}
}

// TestReaderSharesBudget: the background reads, search by photo and
// re-encoding all reserve from Deps.Budget; a photo over the whole
// budget is too large, and search by photo with the budget held elsewhere
// gives up when its context ends.
func TestReaderSharesBudget(t *testing.T) {
	ctx := context.Background()
	m, _, _ := setup(t)
	m.files["big.png"] = phototest.SolidPNG(2000, 2000, 0, 0, 0) // 16 MB of pixels
	budget := photo.NewBudget(12 << 20)
	r := New(&meanEncoder{}, "image:test", Deps{Fetch: m, Originals: m, Store: m, Budget: budget}, Config{}, nil)
	items := []aisle.Item{{ID: "r", Images: []string{"red.png"}}, {ID: "big", Images: []string{"big.png"}}}
	m.UpsertItems(ctx, items)
	rep, err := r.Read(ctx, items)
	if err != nil || rep.Read != 1 || rep.Failed != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	if v := m.items["big"].Visual; !strings.Contains(v.Error, "more than the 12 MiB this server decodes at once") {
		t.Errorf("big photo: %q", v.Error)
	}
	if s := budget.Stats(); s.Peak == 0 || s.InUse != 0 {
		t.Errorf("budget %+v after reading", s)
	}
	hold, err := budget.Reserve(ctx, 12<<20)
	if err != nil {
		t.Fatal(err)
	}
	tctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := r.EncodePhoto(tctx, m.files["red.png"]); aisle.ErrorCode(err) != aisle.EUNAVAILABLE || aisle.ErrorMessage(err) != "too many photos are being read; try again" {
		t.Errorf("search by photo with the budget full: %v", err)
	}
	if _, err := r.Input().Encode(tctx, items[:1]); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("re-encoding with the budget full: %v", err)
	}
	hold()
	if _, err := r.EncodePhoto(ctx, m.files["red.png"]); err != nil {
		t.Errorf("search by photo: %v", err)
	}
}

// TestReadLogsCauseStoresMessage: a fetch failure's client-safe message
// is what the Visual keeps; its cause goes to the log only.
func TestReadLogsCauseStoresMessage(t *testing.T) {
	ctx := context.Background()
	m, _, _ := setup(t)
	const ref = "http://photos.example.com/a.jpg"
	m.errs = map[string]error{ref: errors.Join(
		aisle.Errorf(aisle.EUNAVAILABLE, "image %q: could not fetch the photo", ref),
		errors.New("dial tcp 10.0.0.7:80: connecting to 10.0.0.7:80 is not allowed"),
	)}
	var log bytes.Buffer
	r := New(&meanEncoder{}, "image:test", Deps{Fetch: m, Originals: m, Store: m}, Config{}, slog.New(slog.NewTextHandler(&log, nil)))
	items := []aisle.Item{{ID: "x", Images: []string{ref}}}
	m.UpsertItems(ctx, items)
	if rep, err := r.Read(ctx, items); err != nil || rep.Failed != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	if v := m.items["x"].Visual; v.Error != `image "http://photos.example.com/a.jpg": could not fetch the photo` {
		t.Errorf("visual error %q", v.Error)
	}
	if !strings.Contains(log.String(), "10.0.0.7:80 is not allowed") || !strings.Contains(log.String(), "level=WARN") {
		t.Errorf("the cause is not logged at Warn:\n%s", log.String())
	}
}

func TestReadStopsWhenCancelled(t *testing.T) {
	m, _, r := setup(t)
	items := []aisle.Item{{ID: "r", Images: []string{"red.png"}}}
	m.UpsertItems(context.Background(), items)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Read(ctx, items); err == nil {
		t.Fatal("a cancelled read succeeded")
	}
	if v := m.items["r"].Visual; v != nil {
		t.Errorf("a cancelled read stored %+v", v)
	}
}
