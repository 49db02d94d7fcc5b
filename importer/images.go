package importer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aislehq/aisle"
)

// imagesLabels is the label file of an image dataset folder.
const imagesLabels = "labels.csv"

// imagesCategory is the root category of image dataset items.
const imagesCategory = "Clothing"

// imagesPlan plans the import of an image dataset: the folder at path
// holding labels.csv, or the label file itself. Image paths in it are
// relative to its folder.
func imagesPlan(path string) (*plan, error) {
	dir, err := isDir(path)
	if err != nil {
		return nil, err
	}
	labels := path
	if dir {
		labels = filepath.Join(path, imagesLabels)
	}
	root, err := filepath.Abs(filepath.Dir(labels))
	if err != nil {
		return nil, err
	}
	schema := imageCSV(root)
	src, err := csvSource(labels, schema)
	if err != nil {
		return nil, err
	}
	// Reject a second photo with the same id (file name), which would
	// silently replace the first.
	read := src.read
	src.read = func(ctx context.Context, m *meter, emit func(rec[aisle.Item]) error) error {
		first := make(map[string]int)
		return read(ctx, m, func(r rec[aisle.Item]) error {
			if r.err == nil {
				if at, dup := first[r.v.ID]; dup {
					r.err = fmt.Errorf("image id %q already used at line %d", r.v.ID, at)
				} else {
					first[r.v.ID] = r.line
				}
			}
			return emit(r)
		})
	}
	return &plan{items: []source[aisle.Item]{src}}, nil
}

// imageCSV returns the columns of labels.csv, path,split,label, building
// one item per photo: id the file name without extension, title the label
// capitalised, categories Clothing > label, attributes split and label,
// and the photo's absolute path as its image. A photo that is not there
// rejects the row.
func imageCSV(root string) *csvSchema[aisle.Item] {
	return &csvSchema[aisle.Item]{
		required: []string{"path", "label"},
		cols: map[string]func(*aisle.Item, string) error{
			"path": func(v *aisle.Item, s string) error {
				if s == "" {
					return errors.New("path: must not be empty")
				}
				p := filepath.FromSlash(s)
				if !filepath.IsAbs(p) {
					p = filepath.Join(root, p)
				}
				st, err := os.Stat(p)
				switch {
				case errors.Is(err, os.ErrNotExist):
					return fmt.Errorf("path: no such file: %s", p)
				case err != nil:
					return fmt.Errorf("path: %w", err)
				case !st.Mode().IsRegular():
					return fmt.Errorf("path: not a regular file: %s", p)
				}
				base := filepath.Base(p)
				v.ID = strings.TrimSuffix(base, filepath.Ext(base))
				v.Images = []string{p}
				return nil
			},
			"split": func(v *aisle.Item, s string) error {
				v.Attributes = setAttr(v.Attributes, "split", s)
				return nil
			},
			"label": func(v *aisle.Item, s string) error {
				if s == "" {
					return errors.New("label: must not be empty")
				}
				v.Title = capitalize(s)
				v.Categories = []string{imagesCategory, s}
				v.Attributes = setAttr(v.Attributes, "label", s)
				return nil
			},
		},
	}
}

// capitalize upper-cases the first letter of s: "t-shirt" → "T-shirt".
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
