package eval

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/aislehq/aisle/image/palette"
)

// MaxAnnotatedColours is the most colours a ColourAnnotation holds: a
// primary colour and an optional second one.
const MaxAnnotatedColours = 2

// ColourAnnotation is the main colour of one photo's garment, annotated
// by hand (eval/testdata/clothing-colours.csv).
type ColourAnnotation struct {
	// Path is the photo's path in its dataset (labels.csv's path).
	Path string
	// Colours are one or two of palette.Names, the primary first.
	Colours []string
	// Notes say what the annotator saw.
	Notes string
}

// ID is the item ID the photo-folder importer gives the photo: its file
// name without the extension.
func (a ColourAnnotation) ID() string {
	base := path.Base(a.Path)
	return strings.TrimSuffix(base, path.Ext(base))
}

// ReadColourAnnotations reads a colour annotation file: lines starting
// with "#" are comments, then a CSV header path,colours,notes and one row
// a photo, its colours joined with ";" and each one of palette.Names. A
// photo named twice, a colour outside the palette, no colour or more than
// MaxAnnotatedColours are errors naming the line and the column.
func ReadColourAnnotations(r io.Reader) ([]ColourAnnotation, error) {
	known := palette.Names()
	br := bufio.NewReader(r)
	line := 0
	// Comment lines come first.
	for {
		b, err := br.Peek(1)
		if err != nil || b[0] != '#' {
			break
		}
		if _, err := br.ReadString('\n'); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("colour annotations: %w", err)
		}
		line++
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = 3
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("colour annotations: header: %w", err)
	}
	if !slices.Equal(header, []string{"path", "colours", "notes"}) {
		return nil, fmt.Errorf("colour annotations: line %d: header %q, want path,colours,notes", line+1, strings.Join(header, ","))
	}
	var out []ColourAnnotation
	seen := map[string]bool{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("colour annotations: %w", err)
		}
		row, _ := cr.FieldPos(0)
		at := fmt.Sprintf("colour annotations: line %d", line+row)
		a := ColourAnnotation{Path: strings.TrimSpace(rec[0]), Notes: rec[2]}
		switch {
		case a.Path == "":
			return nil, fmt.Errorf("%s: path: must not be empty", at)
		case seen[a.ID()]:
			return nil, fmt.Errorf("%s: path: %s is annotated twice", at, a.Path)
		}
		seen[a.ID()] = true
		for c := range strings.SplitSeq(rec[1], ";") {
			c = strings.TrimSpace(c)
			if !slices.Contains(known, c) {
				return nil, fmt.Errorf("%s: colours: %q is not a colour of the palette (%s)", at, c, strings.Join(known, ", "))
			}
			if slices.Contains(a.Colours, c) {
				return nil, fmt.Errorf("%s: colours: %q twice", at, c)
			}
			a.Colours = append(a.Colours, c)
		}
		if len(a.Colours) > MaxAnnotatedColours {
			return nil, fmt.Errorf("%s: colours: %d colours, want 1 or %d", at, len(a.Colours), MaxAnnotatedColours)
		}
		out = append(out, a)
	}
	return out, nil
}

// colourFamilies are the base colours the palette's names belong to, the
// hues package qa names in answers and understands in questions ("navy
// blue" is blue, "charcoal" grey, "tan" brown, "coral" orange). A colour
// answer is right when it names a colour of the family of an annotated
// one.
var colourFamilies = map[string]string{
	"black": "black", "charcoal": "gray", "dark gray": "gray", "gray": "gray", "light gray": "gray",
	"white": "white", "red": "red", "maroon": "red", "coral": "orange", "orange": "orange",
	"yellow": "yellow", "beige": "beige", "tan": "brown", "brown": "brown", "olive": "green",
	"green": "green", "dark green": "green", "teal": "blue", "light blue": "blue", "blue": "blue",
	"navy blue": "blue", "purple": "purple", "pink": "pink", "magenta": "pink",
}

// baseColours are the colours the false colour of a yes/no colour
// question is drawn from, with their Chinese names.
var baseColours = []struct{ en, zh string }{
	{"black", "黑色"}, {"white", "白色"}, {"red", "红色"}, {"blue", "蓝色"}, {"green", "绿色"},
	{"yellow", "黄色"}, {"pink", "粉色"}, {"purple", "紫色"}, {"gray", "灰色"}, {"brown", "棕色"},
	{"orange", "橙色"}, {"beige", "米色"},
}

// zhColourWords name colour families in Chinese answers.
var zhColourWords = []struct{ word, family string }{
	{"黑", "black"}, {"白", "white"}, {"红", "red"}, {"藏青", "blue"}, {"蓝", "blue"}, {"绿", "green"},
	{"黄", "yellow"}, {"粉", "pink"}, {"紫", "purple"}, {"灰", "gray"}, {"棕", "brown"}, {"咖啡", "brown"},
	{"褐", "brown"}, {"橙", "orange"}, {"橘", "orange"}, {"米色", "beige"},
}

// families returns the colour families of colours.
func families(colours []string) []string {
	var out []string
	for _, c := range colours {
		if f := colourFamilies[c]; f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// firstColour returns the first colour an answer names, as written
// (a palette name in English, "" in Chinese), and its family; "" and ""
// when it names none. The longest name at the earliest position wins
// ("navy blue" over "blue").
func firstColour(answer string) (name, family string) {
	a := strings.ToLower(answer)
	best := -1
	for c, f := range colourFamilies {
		i := wordIndex(a, c)
		if i >= 0 && (best < 0 || i < best || i == best && len(c) > len(name)) {
			best, name, family = i, c, f
		}
	}
	for _, z := range zhColourWords {
		if i := strings.Index(a, z.word); i >= 0 && (best < 0 || i < best) {
			best, name, family = i, "", z.family
		}
	}
	return name, family
}

// allColours returns the families of every colour an answer names, in
// no particular order.
func allColours(answer string) []string {
	a := strings.ToLower(answer)
	var out []string
	for c, f := range colourFamilies {
		if wordIndex(a, c) >= 0 && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	for _, z := range zhColourWords {
		if strings.Contains(a, z.word) && !slices.Contains(out, z.family) {
			out = append(out, z.family)
		}
	}
	return out
}

// wordIndex is the first position of phrase in s as whole words (a
// letter, digit or hyphen on neither side), -1 when there is none.
func wordIndex(s, phrase string) int {
	for i := 0; ; {
		j := strings.Index(s[i:], phrase)
		if j < 0 {
			return -1
		}
		j += i
		end := j + len(phrase)
		if (j == 0 || !isWordChar(s[j-1])) && (end == len(s) || !isWordChar(s[end])) {
			return j
		}
		i = j + 1
	}
}

// isWordChar reports whether b continues an English word.
func isWordChar(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-'
}
