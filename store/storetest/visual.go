package storetest

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// seen is a photo read for the contract: its content hash is the SHA-256
// of "photo".
func seen(ref string) *aisle.Visual {
	return &aisle.Visual{
		Ref: ref, Image: "55c64d0fcd6f9d5f7c828093857e3fdfda68478bb4e9bd24d481ef391c7804e8",
		Format: "jpeg", Width: 640, Height: 480,
		Colors:    []string{"navy blue", "white"},
		Labels:    []aisle.VisualLabel{{Name: "jersey", Prob: 0.61}, {Name: "sweatshirt", Prob: 0.2}},
		UpdatedAt: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC),
	}
}

func testVisual(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	vs, ok := s.(aisle.VisualStore)
	if !ok {
		t.Skip("store keeps no visuals")
	}
	items := []aisle.Item{
		{ID: "shirt", Title: "Shirt", Images: []string{"shirt-front.jpg", "shirt-back.jpg"},
			// Sent by a client: ignored.
			Visual: &aisle.Visual{Ref: "shirt-front.jpg", Colors: []string{"gold"}}},
		{ID: "mug", Title: "Mug", Attributes: map[string]string{"color": "navy blue"}},
		{ID: "sock", Title: "Sock", Images: []string{"https://example.com/sock.png"}},
	}
	if _, err := s.UpsertItems(ctx, items); err != nil {
		t.Fatalf("UpsertItems: %v", err)
	}
	if items[0].Visual != nil {
		t.Errorf("UpsertItems left the client's Visual on its argument: %+v", items[0].Visual)
	}
	pending := func() []string {
		t.Helper()
		got, err := vs.ItemsWithoutVisual(ctx, 0)
		if err != nil {
			t.Fatalf("ItemsWithoutVisual: %v", err)
		}
		return ids(got)
	}
	visualOf := func(id string) *aisle.Visual {
		t.Helper()
		it, err := s.Item(ctx, id)
		if err != nil {
			t.Fatalf("Item(%s): %v", id, err)
		}
		return it.Visual
	}
	if got := visualOf("shirt"); got != nil {
		t.Errorf("client-sent Visual stored: %+v", got)
	}
	if diff := cmp.Diff([]string{"shirt", "sock"}, pending()); diff != "" {
		t.Errorf("pending before any photo was read (-want +got):\n%s", diff)
	}

	before, _ := s.Item(ctx, "shirt")
	want := seen("shirt-front.jpg")
	if err := vs.SetItemVisual(ctx, "shirt", want); err != nil {
		t.Fatalf("SetItemVisual: %v", err)
	}
	after, err := s.Item(ctx, "shirt")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, after.Visual); diff != "" {
		t.Errorf("Item(shirt).Visual (-want +got):\n%s", diff)
	}
	before.Visual = want
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("SetItemVisual changed other fields (-before +after):\n%s", diff)
	}
	m, err := s.Items(ctx, []string{"shirt"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, m["shirt"].Visual); diff != "" {
		t.Errorf("Items[shirt].Visual (-want +got):\n%s", diff)
	}
	page, err := s.ListItems(ctx, aisle.ItemFilter{})
	if err != nil || len(page.Items) != 3 || page.Items[1].ID != "shirt" {
		t.Fatalf("ListItems = %v, %v", ids(page.Items), err)
	}
	if diff := cmp.Diff(want, page.Items[1].Visual); diff != "" {
		t.Errorf("ListItems Visual (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"sock"}, pending()); diff != "" {
		t.Errorf("pending after shirt was read (-want +got):\n%s", diff)
	}

	// The colour filter sees the photo's colours beside the text's.
	for _, tt := range []struct {
		color string
		want  []string
	}{
		{"navy blue", []string{"mug", "shirt"}},
		{"White", []string{"shirt"}},
		{"gold", nil},
	} {
		page, err := s.ListItems(ctx, aisle.ItemFilter{Color: tt.color})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, ids(page.Items), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("color %q (-want +got):\n%s", tt.color, diff)
		}
	}

	// Rejections change nothing.
	tooMany := seen("shirt-front.jpg")
	tooMany.Colors = slices.Repeat([]string{"red"}, aisle.MaxVisualTags+1)
	bad := []struct {
		name, id string
		v        *aisle.Visual
		code     string
		field    string
	}{
		{"unknown item", "nope", seen("x.jpg"), aisle.ENOTFOUND, ""},
		{"stale photo", "shirt", seen("shirt-back.jpg"), aisle.ECONFLICT, ""},
		{"item without images", "mug", seen("mug.jpg"), aisle.ECONFLICT, ""},
		{"empty ref", "shirt", &aisle.Visual{}, aisle.EINVALID, "visual.ref"},
		{"image not a hash", "shirt", &aisle.Visual{Ref: "shirt-front.jpg", Image: "../../etc/passwd"}, aisle.EINVALID, "visual.image"},
		{"upper-case hash", "shirt", &aisle.Visual{Ref: "shirt-front.jpg", Image: strings.ToUpper(want.Image)}, aisle.EINVALID, "visual.image"},
		{"too many colours", "shirt", tooMany, aisle.EINVALID, "visual.colors"},
		{"NaN probability", "shirt", &aisle.Visual{Ref: "shirt-front.jpg", Labels: []aisle.VisualLabel{{Name: "x", Prob: math.NaN()}}}, aisle.EINVALID, "visual.labels[0].prob"},
		{"infinite score", "shirt", &aisle.Visual{Ref: "shirt-front.jpg", CategoryScore: math.Inf(1)}, aisle.EINVALID, "visual.category_score"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, vs.SetItemVisual(ctx, tt.id, tt.v), tt.code, tt.field)
			if diff := cmp.Diff(want, visualOf("shirt")); diff != "" {
				t.Errorf("rejected visual changed shirt's (-want +got):\n%s", diff)
			}
		})
	}

	// Writing the item again keeps its Visual while the first image stays.
	again := []aisle.Item{{ID: "shirt", Title: "Shirt", Images: []string{"shirt-front.jpg", "shirt-back.jpg"}, Visual: &aisle.Visual{Ref: "other"}}}
	st, err := s.UpsertItems(ctx, again)
	if err != nil || st != (aisle.UpsertStats{Unchanged: 1}) {
		t.Errorf("same item again: stats %+v err %v, want 1 unchanged", st, err)
	}
	if diff := cmp.Diff(want, again[0].Visual); diff != "" {
		t.Errorf("UpsertItems did not set the stored Visual on its argument (-want +got):\n%s", diff)
	}
	retitled := []aisle.Item{{ID: "shirt", Title: "Oxford shirt", Images: []string{"shirt-front.jpg"}}}
	if st, err := s.UpsertItems(ctx, retitled); err != nil || st != (aisle.UpsertStats{Updated: 1}) {
		t.Fatalf("retitle: stats %+v err %v, want 1 updated", st, err)
	}
	if diff := cmp.Diff(want, visualOf("shirt")); diff != "" {
		t.Errorf("Visual after an update that kept the first image (-want +got):\n%s", diff)
	}

	// A new first image clears it: the new photo is pending, and a read
	// of the old one that finishes late is refused.
	reshot := []aisle.Item{{ID: "shirt", Title: "Oxford shirt", Images: []string{"shirt-new.jpg", "shirt-front.jpg"}}}
	if st, err := s.UpsertItems(ctx, reshot); err != nil || st != (aisle.UpsertStats{Updated: 1}) {
		t.Fatalf("new photo: stats %+v err %v, want 1 updated", st, err)
	}
	if reshot[0].Visual != nil {
		t.Errorf("UpsertItems set a Visual for a new photo: %+v", reshot[0].Visual)
	}
	if got := visualOf("shirt"); got != nil {
		t.Errorf("Visual kept after the first image changed: %+v", got)
	}
	if diff := cmp.Diff([]string{"shirt", "sock"}, pending()); diff != "" {
		t.Errorf("pending after a new photo (-want +got):\n%s", diff)
	}
	wantCode(t, vs.SetItemVisual(ctx, "shirt", seen("shirt-front.jpg")), aisle.ECONFLICT, "")

	// A photo that cannot be used is recorded as such and no longer
	// pending; a zero UpdatedAt is set by the store.
	broken := &aisle.Visual{Ref: "https://example.com/sock.png", Error: `image "https://example.com/sock.png": cannot reach host`}
	if err := vs.SetItemVisual(ctx, "sock", broken); err != nil {
		t.Fatalf("SetItemVisual(error): %v", err)
	}
	got := visualOf("sock")
	if got == nil || got.Error != broken.Error || got.UpdatedAt.IsZero() {
		t.Errorf("unusable photo stored as %+v", got)
	}
	if diff := cmp.Diff([]string{"shirt"}, pending()); diff != "" {
		t.Errorf("pending after sock's photo failed (-want +got):\n%s", diff)
	}
	// Dropping every image clears the Visual; the item is not pending.
	if _, err := s.UpsertItems(ctx, []aisle.Item{{ID: "sock", Title: "Sock"}}); err != nil {
		t.Fatal(err)
	}
	if got := visualOf("sock"); got != nil {
		t.Errorf("Visual kept after the images went: %+v", got)
	}

	// The limit bounds the batch.
	if got, err := vs.ItemsWithoutVisual(ctx, 1); err != nil || len(got) != 1 {
		t.Errorf("ItemsWithoutVisual(1) = %v, %v", ids(got), err)
	}
	_, err = vs.ItemsWithoutVisual(ctx, -1)
	wantCode(t, err, aisle.EINVALID, "limit")

	t.Run("batch", func(t *testing.T) { testVisualBatch(t, s, vs) })
}

// testVisualBatch checks SetItemVisuals on the store testVisual leaves:
// shirt's first image is shirt-new.jpg (unread), mug and sock have none.
func testVisualBatch(t *testing.T, s aisle.Store, vs aisle.VisualStore) {
	ctx := context.Background()
	if _, err := s.UpsertItems(ctx, []aisle.Item{{ID: "hat", Title: "Hat", Images: []string{"hat.jpg"}}}); err != nil {
		t.Fatal(err)
	}
	// A cancelled write stores nothing.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if errs, err := vs.SetItemVisuals(cancelled, []aisle.ItemVisual{{Item: "hat", Visual: seen("hat.jpg")}}); err == nil {
		t.Errorf("SetItemVisuals with a cancelled context = %v, nil; want an error", errs)
	}
	if it, err := s.Item(ctx, "hat"); err != nil || it.Visual != nil {
		t.Fatalf("hat after a cancelled write: %+v, %v; want no Visual", it.Visual, err)
	}

	shirt := seen("shirt-new.jpg")
	shirt.UpdatedAt = time.Time{}
	batch := []aisle.ItemVisual{
		{Item: "shirt", Visual: shirt},
		{Item: "nope", Visual: seen("x.jpg")},
		{Item: "mug", Visual: seen("mug.jpg")},
		{Item: "hat", Visual: seen("hat-old.jpg")},
		{Item: "hat", Visual: &aisle.Visual{}},
		{Item: "hat", Visual: nil},
		{Item: "hat", Visual: seen("hat.jpg")},
	}
	want := []struct{ code, field string }{
		{"", ""}, {aisle.ENOTFOUND, ""}, {aisle.ECONFLICT, ""}, {aisle.ECONFLICT, ""},
		{aisle.EINVALID, "visual.ref"}, {aisle.EINVALID, "visual"}, {"", ""},
	}
	errs, err := vs.SetItemVisuals(ctx, batch)
	if err != nil || len(errs) != len(batch) {
		t.Fatalf("SetItemVisuals = %d errors, %v; want %d and nil", len(errs), err, len(batch))
	}
	for i, w := range want {
		if got := aisle.ErrorCode(errs[i]); errs[i] != nil && got != w.code || errs[i] == nil && w.code != "" {
			t.Errorf("errs[%d] = %v, want code %q", i, errs[i], w.code)
		} else if w.field != "" && aisle.ErrorField(errs[i]) != w.field {
			t.Errorf("errs[%d] field = %q (%v), want %q", i, aisle.ErrorField(errs[i]), errs[i], w.field)
		}
	}
	if shirt.UpdatedAt.IsZero() {
		t.Error("SetItemVisuals left a zero UpdatedAt zero")
	}
	for id, v := range map[string]*aisle.Visual{"shirt": shirt, "hat": seen("hat.jpg")} {
		it, err := s.Item(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(v, it.Visual); diff != "" {
			t.Errorf("%s's Visual after the batch (-want +got):\n%s", id, diff)
		}
	}
	if got, err := vs.ItemsWithoutVisual(ctx, 0); err != nil || len(got) != 0 {
		t.Errorf("pending after the batch = %v, %v; want none", ids(got), err)
	}
	// Nothing to write, or nothing valid, is no error.
	if errs, err := vs.SetItemVisuals(ctx, nil); err != nil || len(errs) != 0 {
		t.Errorf("SetItemVisuals(nil) = %v, %v", errs, err)
	}
	errs, err = vs.SetItemVisuals(ctx, []aisle.ItemVisual{{Item: "hat", Visual: &aisle.Visual{}}})
	if err != nil || len(errs) != 1 {
		t.Fatalf("SetItemVisuals(invalid) = %v, %v", errs, err)
	}
	wantCode(t, errs[0], aisle.EINVALID, "visual.ref")
}
