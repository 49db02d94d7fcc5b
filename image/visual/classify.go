package visual

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aislehq/aisle"
)

// Label returns the classifier label of an item's category path, "" when
// it has none.
func Label(it *aisle.Item) string { return strings.Join(it.Categories, CategorySep) }

// Reclassify predicts again, with the Reader's classifier, the category
// of each of items whose photo was read, from its image vector (vector
// returns nil when it has none), and stores the Visuals that change. It
// returns how many changed. A photo replaced meanwhile is skipped.
func (r *Reader) Reclassify(ctx context.Context, items []aisle.Item, vector func(id string) []float32) (int, error) {
	cls := r.classifier()
	if cls == nil {
		return 0, nil
	}
	changed := 0
	for i := range items {
		it := &items[i]
		if it.Visual == nil || it.Visual.Error != "" || Pending(it) {
			continue
		}
		x := vector(it.ID)
		if x == nil {
			continue
		}
		label, p := cls.Predict(x)
		cat := strings.Split(label, CategorySep)
		if label == "" || slices.Equal(cat, it.Visual.Category) {
			continue
		}
		v := *it.Visual
		v.Category, v.CategoryScore = cat, p
		switch err := r.store.SetItemVisual(ctx, it.ID, &v); aisle.ErrorCode(err) {
		case "":
			it.Visual = &v
			changed++
		case aisle.ECONFLICT, aisle.ENOTFOUND:
		default:
			return changed, fmt.Errorf("visual: reclassify %s: %w", it.ID, err)
		}
	}
	return changed, nil
}
