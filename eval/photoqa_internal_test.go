package eval

import (
	"slices"
	"testing"

	"github.com/aislehq/aisle/qa"
)

// TestPhotoAnswerParsing checks how open answers are read: the first
// class or colour they name, whole words only, the longest name at a
// position, English and Chinese.
func TestPhotoAnswerParsing(t *testing.T) {
	for _, tc := range []struct{ answer, class string }{
		{"It is a t-shirt.", "t-shirt"},
		{"It is a shirt.", "shirt"},
		{"It is a sweatshirt.", "longsleeve"},
		{"It is a longsleeve.", "longsleeve"},
		{"It is shoes.", "shoes"},
		{"Yes, it is outerwear.", "outwear"},
		{"这是T恤。", "t-shirt"},
		{"这是长袖上衣。", "longsleeve"},
		{"这是连衣裙。", "dress"},
		{"这是半身裙。", "skirt"},
		{"It is a dress, not a skirt.", "dress"},
		{"Sorry, I don't know.", ""},
	} {
		if got := firstClass(tc.answer); got != tc.class {
			t.Errorf("firstClass(%q) = %q, want %q", tc.answer, got, tc.class)
		}
	}
	for _, tc := range []struct{ answer, name, family string }{
		{"It is navy blue, black and white.", "navy blue", "blue"},
		{"It is dark gray and blue.", "dark gray", "gray"},
		{"It is charcoal.", "charcoal", "gray"},
		{"It is tan.", "tan", "brown"},
		{"颜色是藏青色和黑色。", "", "blue"},
		{"颜色是浅灰色。", "", "gray"},
		{"颜色是米色。", "", "beige"},
		{"It is bluish.", "", ""},
	} {
		if name, fam := firstColour(tc.answer); name != tc.name || fam != tc.family {
			t.Errorf("firstColour(%q) = %q, %q; want %q, %q", tc.answer, name, fam, tc.name, tc.family)
		}
	}
}

// TestPhotoQuestionCorrect checks the scoring of each kind of question.
func TestPhotoQuestionCorrect(t *testing.T) {
	open := func(s string) qa.Answer { return qa.Answer{Answer: s, Type: qa.TypeOpen} }
	unknown := qa.Answer{Answer: "Sorry, I don't know: it is a shirt.", Type: qa.TypeUnknown}
	for _, tc := range []struct {
		q    PhotoQuestion
		ans  qa.Answer
		want bool
	}{
		{PhotoQuestion{Kind: PhotoCategoryYesNo, Want: qa.TypeYes}, qa.Answer{Type: qa.TypeYes}, true},
		{PhotoQuestion{Kind: PhotoCategoryYesNo, Want: qa.TypeNo}, qa.Answer{Type: qa.TypeYes}, false},
		{PhotoQuestion{Kind: PhotoSleeveYesNo, Want: qa.TypeNo}, unknown, false},
		{PhotoQuestion{Kind: PhotoCategoryOpen, Want: "shirt"}, open("It is a shirt."), true},
		{PhotoQuestion{Kind: PhotoCategoryOpen, Want: "shirt"}, open("It is a t-shirt."), false},
		{PhotoQuestion{Kind: PhotoCategoryOpen, Want: "shirt"}, unknown, false},
		{PhotoQuestion{Kind: PhotoColourOpen, Colours: []string{"navy blue"}}, open("It is blue and white."), true},
		{PhotoQuestion{Kind: PhotoColourOpen, Colours: []string{"navy blue", "red"}}, open("It is white, maroon and brown."), false},
		{PhotoQuestion{Kind: PhotoColourOpen, Colours: []string{"charcoal", "black"}}, open("颜色是黑色和灰色。"), true},
	} {
		if got := tc.q.Correct(tc.ans); got != tc.want {
			t.Errorf("%s %+v: Correct(%q, %s) = %v, want %v", tc.q.Kind, tc.q, tc.ans.Answer, tc.ans.Type, got, tc.want)
		}
	}
}

// TestPhotoQuestions checks the generated questions: deterministic,
// balanced yes and no for every yes/no kind, a wrong class the label
// decides, sleeve questions only where the label decides them, a false
// colour of another family than the annotated ones.
func TestPhotoQuestions(t *testing.T) {
	classes := slices.Sorted(func(yield func(string) bool) {
		for c := range classNames {
			if !yield(c) {
				return
			}
		}
	})
	var photos []Photo
	colours := map[string][]string{}
	for i, c := range classes {
		for k := range 12 {
			id := c + string(rune('a'+k))
			photos = append(photos, Photo{ID: id, Label: c, Split: SplitTest})
			if k%3 == 0 {
				colours[id] = [][]string{{"navy blue"}, {"charcoal", "black"}, {"tan", "navy blue"}}[(i+k)%3]
			}
		}
	}
	qs := PhotoQuestions(photos, classes, colours)
	if again := PhotoQuestions(photos, classes, colours); !slices.EqualFunc(qs, again, func(a, b PhotoQuestion) bool {
		return a.Item == b.Item && a.Kind == b.Kind && a.Text == b.Text && a.Want == b.Want
	}) {
		t.Fatal("two runs generate different questions")
	}
	yes, no := map[string]int{}, map[string]int{}
	texts := map[string]bool{}
	for _, q := range qs {
		texts[q.Text] = true
		switch q.Want {
		case qa.TypeYes:
			yes[q.Kind+"/"+q.Lang]++
		case qa.TypeNo:
			no[q.Kind+"/"+q.Lang]++
		}
		if q.Kind == PhotoCategoryYesNo && q.Want == qa.TypeNo && undecided(q.Label, "longsleeve") && (q.Text == "Is this a long-sleeved top?" || q.Text == "Is this a long-sleeve top?" || q.Text == "这是长袖上衣吗？") {
			t.Errorf("%s (%s): %q, which its label does not decide", q.Item, q.Label, q.Text)
		}
		if q.Kind == PhotoSleeveYesNo && SleeveOf(q.Label) == "" {
			t.Errorf("%s (%s): sleeve question %q", q.Item, q.Label, q.Text)
		}
		if q.Kind == PhotoColourYesNo && q.Want == qa.TypeNo {
			for _, b := range baseColours {
				if (q.Text == "Is it "+b.en+"?" || q.Text == "是"+b.zh+"的吗？") && slices.Contains(families(q.Colours), b.en) {
					t.Errorf("%s: %q is false, but %v is of that family", q.Item, q.Text, q.Colours)
				}
			}
		}
	}
	for _, key := range []string{"category yes/no/en", "category yes/no/zh", "sleeve yes/no/en", "colour yes/no/en", "colour yes/no/zh"} {
		if yes[key] == 0 || yes[key] != no[key] {
			t.Errorf("%s: %d yes, %d no; want as many of each", key, yes[key], no[key])
		}
	}
	// The phrasings vary with the photo.
	for _, s := range []string{"Is this a tee?", "Are these trousers?", "Is this footwear?", "What is shown in the photo?", "图片里是什么？", "What colour is it?", "这是什么颜色？"} {
		if !texts[s] {
			t.Errorf("no question %q among %d", s, len(qs))
		}
	}
}

// TestColourFamilies checks that every palette colour belongs to a
// family a yes/no question can name.
func TestColourFamilies(t *testing.T) {
	for c, f := range colourFamilies {
		if !slices.ContainsFunc(baseColours, func(b struct{ en, zh string }) bool { return b.en == f }) {
			t.Errorf("%s: family %q is not a base colour", c, f)
		}
	}
}

func TestAllColours(t *testing.T) {
	for _, tc := range []struct {
		answer string
		want   []string
	}{
		{"It is white, maroon and brown.", []string{"brown", "red", "white"}},
		{"颜色是黑色、深灰色和灰色。", []string{"black", "gray"}},
		{"Sorry, I don't know.", nil},
	} {
		got := allColours(tc.answer)
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("allColours(%q) = %v, want %v", tc.answer, got, tc.want)
		}
	}
}
