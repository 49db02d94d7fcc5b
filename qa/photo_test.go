package qa_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/qa"
)

var (
	shoesPhoto = "test/shoes/18ff3e0e-6676-4f26-8be4-a992217ac524.jpg"
	shirtPhoto = "test/shirt/0e99edde-0ed8-4c8c-a405-0517c1b801a4.jpg"
)

// TestAskPhotoQuestionForms checks the ways of asking about a photo that
// aisle eval -task photoqa found the answerer missing: synonyms of the
// classes ("footwear", "jumper"), open questions that point at the photo
// ("What is shown in the photo?", "图片里是什么？"), sleeves of things that
// have none, and the image model's generic label overruling the store's
// own photo classifier. Items have no text: the answer comes from the
// photo alone.
func TestAskPhotoQuestionForms(t *testing.T) {
	shoes := photoItem(t, shoesPhoto, "shoes")
	long := photoItem(t, longsleevePhoto, "longsleeve")
	pants := photoItem(t, pantsPhoto, "pants")
	tshirt := photoItem(t, tshirtPhoto, "t-shirt")
	// A shirt the image model takes for a T-shirt, surely: its label
	// must not overrule the classifier's category.
	shirt := photoItem(t, shirtPhoto, "shirt")
	shirt.Visual.Labels = []aisle.VisualLabel{{Name: "jersey, T-shirt, tee shirt", Prob: 0.8}}
	for _, it := range []*aisle.Item{&shoes, &long, &pants, &tshirt, &shirt} {
		it.Title = "item 1"
	}
	a := qa.New(nil, nil, qa.Options{})
	for _, tc := range []struct {
		name     string
		item     aisle.Item
		question string
		typ      string
		contains string
	}{
		{"footwear", shoes, "Is this footwear?", qa.TypeYes, "shoes"},
		{"not footwear", pants, "Is this footwear?", qa.TypeNo, "pants"},
		{"sandals", shoes, "Are these sandals?", qa.TypeYes, "shoes"},
		{"jumper", long, "Is this a jumper?", qa.TypeYes, "longsleeve"},
		{"not a jumper", tshirt, "Is this a jumper?", qa.TypeNo, "t-shirt"},
		{"trousers", pants, "Are these trousers?", qa.TypeYes, "pants"},
		{"tee", tshirt, "Is this a tee?", qa.TypeYes, "t-shirt"},
		{"shown in the photo", pants, "What is shown in the photo?", qa.TypeOpen, "pants"},
		{"garment", tshirt, "What garment is this?", qa.TypeOpen, "t-shirt"},
		{"zh in the picture", shoes, "图片里是什么？", qa.TypeOpen, "鞋子"},
		{"zh what clothes", long, "这是什么衣服？", qa.TypeOpen, "长袖上衣"},
		{"zh jumper", long, "这是毛衣吗？", qa.TypeYes, "长袖上衣"},
		{"zh colour", tshirt, "这是什么颜色？", qa.TypeOpen, "颜色是"},
		{"label does not overrule", shirt, "Is this a t-shirt?", qa.TypeNo, "shirt"},
		{"zh label does not overrule", shirt, "这是T恤吗？", qa.TypeNo, "衬衫"},
		{"label does not overrule open", shirt, "What is this?", qa.TypeOpen, "a shirt"},
		{"pants not long-sleeved", pants, "Is it long-sleeved?", qa.TypeNo, "no sleeves"},
		{"pants not a long-sleeved top", pants, "Is this a long-sleeved top?", qa.TypeNo, "pants"},
		{"zh shoes no sleeves", shoes, "是长袖吗？", qa.TypeNo, "没有袖子"},
		{"pants sleeveless unknown", pants, "Is it sleeveless?", qa.TypeUnknown, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := a.Ask(context.Background(), &tc.item, tc.question, "")
			if err != nil {
				t.Fatal(err)
			}
			if got.Type != tc.typ || !strings.Contains(got.Answer, tc.contains) {
				t.Errorf("Ask(%q) = %+v, want %s with %q", tc.question, got, tc.typ, tc.contains)
			}
			if tc.typ != qa.TypeUnknown && !hasSource(got.Sources, qa.SourcePhoto, "visual.category") && !hasSource(got.Sources, qa.SourcePhoto, "visual.colors") {
				t.Errorf("Ask(%q) sources %+v, want the photo's", tc.question, got.Sources)
			}
		})
	}
}

// TestAskPhotoLabelsWithoutCategory checks that the image model's labels
// still say what an item is when nothing else does: no category, no
// predicted category.
func TestAskPhotoLabelsWithoutCategory(t *testing.T) {
	it := photoItem(t, tshirtPhoto, "t-shirt")
	it.Title = "item 1"
	it.Visual.Category = nil
	it.Visual.Labels = []aisle.VisualLabel{{Name: "jersey, T-shirt, tee shirt", Prob: 0.8}}
	got, err := qa.New(nil, nil, qa.Options{}).Ask(context.Background(), &it, "Is this a t-shirt?", "")
	if err != nil {
		t.Fatal(err)
	}
	if got.Type != qa.TypeYes || !hasSource(got.Sources, qa.SourcePhoto, "visual.labels") {
		t.Errorf("Ask = %+v, want yes from visual.labels", got)
	}
}
