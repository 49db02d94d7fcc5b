package aisle

import (
	"context"
	"encoding/hex"
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

// VisualLabel is one class an image model sees in a photo.
type VisualLabel struct {
	Name string  `json:"name"`
	Prob float64 `json:"prob"`
}

// VisualStore keeps what was seen in items' photos. Implementations are
// safe for concurrent use.
type VisualStore interface {
	// SetItemVisual stores v as item id's Visual, provided the item's
	// first image is still v.Ref: ENOTFOUND when the item does not exist,
	// ECONFLICT when its first image is now another (the photo read is
	// stale; the newer one will be read). It leaves the item's other
	// fields and UpdatedAt as they are.
	SetItemVisual(ctx context.Context, id string, v *Visual) error
}
