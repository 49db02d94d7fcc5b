package eval_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aislehq/aisle/eval"
	"github.com/aislehq/aisle/image/palette"
)

// clothingColours is the hand-annotated colour file of the photo
// questions evaluation.
var clothingColours = filepath.Join("testdata", "clothing-colours.csv")

func TestReadColourAnnotations(t *testing.T) {
	good := "# annotated by hand\n# two comment lines\npath,colours,notes\ntest/dress/a.jpg,navy blue,\"navy, with a print\"\ntest/hat/b.jpg,pink;white,\n"
	got, err := eval.ReadColourAnnotations(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	want := []eval.ColourAnnotation{
		{Path: "test/dress/a.jpg", Colours: []string{"navy blue"}, Notes: "navy, with a print"},
		{Path: "test/hat/b.jpg", Colours: []string{"pink", "white"}},
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("annotations (-got +want):\n%s", diff)
	}
	if got[1].ID() != "b" {
		t.Errorf("ID of %s = %q, want b", got[1].Path, got[1].ID())
	}
	for _, tc := range []struct{ name, in, err string }{
		{"no header", "", "header"},
		{"wrong header", "path,colour,notes\n", "want path,colours,notes"},
		{"unknown colour", "# c\npath,colours,notes\na.jpg,bluish,\n", "line 3: colours: \"bluish\""},
		{"empty colour", "path,colours,notes\na.jpg,,\n", "line 2: colours"},
		{"three colours", "path,colours,notes\na.jpg,red;blue;black,\n", "3 colours"},
		{"colour twice", "path,colours,notes\na.jpg,red;red,\n", "twice"},
		{"photo twice", "path,colours,notes\nx/a.jpg,red,\ny/a.jpg,blue,\n", "line 3: path: y/a.jpg is annotated twice"},
		{"no path", "path,colours,notes\n,red,\n", "path: must not be empty"},
		{"short row", "path,colours,notes\na.jpg,red\n", "wrong number of fields"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := eval.ReadColourAnnotations(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("error %v, want one saying %q", err, tc.err)
			}
		})
	}
}

func FuzzReadColourAnnotations(f *testing.F) {
	f.Add("# c\npath,colours,notes\ntest/a.jpg,navy blue;white,\"x, y\"\n")
	f.Add("path,colours,notes\na.jpg,red;blue;black,\n")
	f.Add("#\n#\n\"path\",colours,notes\n\"a\nb.jpg\",tan,\n")
	f.Fuzz(func(t *testing.T, in string) {
		as, err := eval.ReadColourAnnotations(strings.NewReader(in))
		if err != nil {
			return
		}
		known := palette.Names()
		ids := map[string]bool{}
		for _, a := range as {
			if a.Path == "" || ids[a.ID()] || len(a.Colours) == 0 || len(a.Colours) > eval.MaxAnnotatedColours {
				t.Fatalf("accepted %+v", a)
			}
			ids[a.ID()] = true
			for _, c := range a.Colours {
				if !slices.Contains(known, c) {
					t.Fatalf("accepted colour %q", c)
				}
			}
		}
	})
}

// TestClothingColoursFile checks the hand-annotated colours against the
// rule they were chosen by: every 6th test photo of clothing-images-all
// in sorted path order, the 1st, 7th, 13th and so on, 62 in all.
func TestClothingColoursFile(t *testing.T) {
	f, err := os.Open(clothingColours)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	as, err := eval.ReadColourAnnotations(f)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range as {
		got = append(got, a.Path)
	}
	var test []string
	for _, p := range clothingPhotos(t, clothingAll) {
		if p.Split == eval.SplitTest {
			rel, err := filepath.Rel(clothingAll, p.Path)
			if err != nil {
				t.Fatal(err)
			}
			test = append(test, filepath.ToSlash(rel))
		}
	}
	slices.Sort(test)
	var want []string
	for i := 0; i < len(test); i += 6 {
		want = append(want, test[i])
	}
	if len(want) != 62 {
		t.Errorf("%d test photos chosen, want 62", len(want))
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("annotated photos (-got +want):\n%s", diff)
	}
}
