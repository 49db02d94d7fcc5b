package aisle

import (
	"context"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"time"
)

// UploadRefPrefix starts an image reference to an uploaded photo, kept by
// the server under its content hash: "sha256:" and 64 lower-case hex
// digits. Item.Images may also hold file paths and http(s) URLs.
const UploadRefPrefix = "sha256:"

// UploadRef returns the image reference of an uploaded photo whose
// original bytes have the hex SHA-256 hash.
func UploadRef(hash string) string { return UploadRefPrefix + hash }

// ParseUploadRef returns the content hash an upload reference names, and
// whether ref is one.
func ParseUploadRef(ref string) (hash string, ok bool) {
	h, ok := strings.CutPrefix(ref, UploadRefPrefix)
	if !ok || !IsContentHash(h) {
		return "", false
	}
	return h, true
}

// IsContentHash reports whether s is a hex SHA-256 hash in lower case, the
// name originals are kept under.
func IsContentHash(s string) bool {
	if len(s) != 64 || strings.ToLower(s) != s {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// Visual is what Aisle saw in an item's main photo, Images[0]. The server
// sets it (never the client): when an item's first image changes, its
// Visual is dropped until the new photo has been read.
type Visual struct {
	// Ref is the Images entry the photo came from.
	Ref string `json:"ref"`
	// Image is the hex SHA-256 of the photo's original bytes, kept by the
	// server and served at /v1/images/{hash}; empty when it could not be
	// read (see Error).
	Image string `json:"image,omitempty"`
	// Format is "jpeg", "png", "gif" or "webp"; Width and Height are the
	// stored dimensions.
	Format string `json:"format,omitempty"`
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
	// Colors are the photo's dominant colours as canonical colour names
	// ("navy blue"), most prominent first; they serve the color filter
	// beside the colours named in the item's text.
	Colors []string `json:"colors,omitempty"`
	// Labels are weak tags: the image model's most probable classes
	// (ImageNet's for the default CNN), most probable first.
	Labels []VisualLabel `json:"labels,omitempty"`
	// Category is the category path the store's own photo classifier
	// predicts, root first; empty until one is trained.
	Category []string `json:"category,omitempty"`
	// CategoryScore is the classifier's probability for Category.
	CategoryScore float64 `json:"category_score,omitempty"`
	// Error says why the photo could not be used (fetch, decode or limits);
	// the other fields are then empty.
	Error string `json:"error,omitempty"`
	// UpdatedAt is when the photo was read.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// MaxVisualTags bounds Visual.Colors and Visual.Labels.
const MaxVisualTags = 32

// Validate checks v before it is stored: Ref non-empty, Image empty or a
// content hash, at most MaxVisualTags colours and labels, finite label
// probabilities and category score, strings within the item limits. Errors are
// *Error with code EINVALID naming the field ("ref", "labels[2].prob").
func (v *Visual) Validate() error {
	if v.Ref == "" {
		return FieldErrorf(EINVALID, "ref", "must not be empty")
	}
	if err := checkString("ref", v.Ref, MaxImageRefBytes); err != nil {
		return err
	}
	if v.Image != "" && !IsContentHash(v.Image) {
		return FieldErrorf(EINVALID, "image", "must be a hex SHA-256 hash in lower case")
	}
	if v.Width < 0 {
		return FieldErrorf(EINVALID, "width", "must not be negative")
	}
	if v.Height < 0 {
		return FieldErrorf(EINVALID, "height", "must not be negative")
	}
	if len(v.Colors) > MaxVisualTags {
		return FieldErrorf(EINVALID, "colors", "more than %d colours", MaxVisualTags)
	}
	for i, c := range v.Colors {
		if err := checkString(fmt.Sprintf("colors[%d]", i), c, MaxCategoryBytes); err != nil {
			return err
		}
	}
	if len(v.Labels) > MaxVisualTags {
		return FieldErrorf(EINVALID, "labels", "more than %d labels", MaxVisualTags)
	}
	for i, l := range v.Labels {
		if err := checkString(fmt.Sprintf("labels[%d].name", i), l.Name, MaxCategoryBytes); err != nil {
			return err
		}
		if !isFinite(l.Prob) {
			return FieldErrorf(EINVALID, fmt.Sprintf("labels[%d].prob", i), "must be a finite number")
		}
	}
	if len(v.Category) > MaxCategoryDepth {
		return FieldErrorf(EINVALID, "category", "deeper than %d levels", MaxCategoryDepth)
	}
	for i, c := range v.Category {
		if err := checkString(fmt.Sprintf("category[%d]", i), c, MaxCategoryBytes); err != nil {
			return err
		}
	}
	if !isFinite(v.CategoryScore) {
		return FieldErrorf(EINVALID, "category_score", "must be a finite number")
	}
	for _, s := range [...]struct{ field, value string }{{"format", v.Format}, {"error", v.Error}} {
		if err := checkString(s.field, s.value, MaxTitleBytes); err != nil {
			return err
		}
	}
	return nil
}

// isFinite reports whether x is neither NaN nor infinite.
func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// VisualLabel is one class an image model sees in a photo.
type VisualLabel struct {
	Name string  `json:"name"`
	Prob float64 `json:"prob"`
}

// ItemVisual is one item's Visual, for VisualStore.SetItemVisuals.
type ItemVisual struct {
	// Item is the item's ID.
	Item string
	// Visual is what was seen in its photo; a zero UpdatedAt is set by
	// the store.
	Visual *Visual
}

// VisualStore keeps what was seen in items' photos. Implementations are
// safe for concurrent use.
type VisualStore interface {
	// SetItemVisual stores v as item id's Visual, provided the item's
	// first image is still v.Ref: ENOTFOUND when the item does not exist,
	// ECONFLICT when its first image is now another (the photo read is
	// stale; the newer one will be read), EINVALID when v is invalid
	// (Visual.Validate; fields prefixed "visual"). A zero v.UpdatedAt is
	// set to the current time. It leaves the item's other fields and
	// UpdatedAt as they are.
	SetItemVisual(ctx context.Context, id string, v *Visual) error
	// SetItemVisuals stores each of vs as SetItemVisual would, all in one
	// write transaction (one commit for a batch of photos). errs[i] is
	// vs[i]'s ENOTFOUND, ECONFLICT or EINVALID, nil when it was stored;
	// those leave the others stored. err is set, and nothing stored, only
	// when the write itself fails (ctx, the store). An item named twice
	// gets the later Visual.
	SetItemVisuals(ctx context.Context, vs []ItemVisual) (errs []error, err error)
	// ItemsWithoutVisual returns, in id order, at most limit items (0
	// means 100) that have images but no Visual: the photos waiting to be
	// read. Once SetItemVisual has stored one (a Visual with Error for a
	// photo that cannot be used) the item is no longer returned.
	ItemsWithoutVisual(ctx context.Context, limit int) ([]Item, error)
}
