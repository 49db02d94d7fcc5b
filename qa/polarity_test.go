package qa_test

import (
	"testing"

	"github.com/aislehq/aisle/qa"
)

func TestAnswerPolarity(t *testing.T) {
	for _, tc := range []struct {
		answer string
		want   qa.Polarity
	}{
		{"Yes, it fits the Badger 5.", qa.Yes},
		{"yes", qa.Yes},
		{"Yep!", qa.Yes},
		{"It does. Mine came with one.", qa.Yes},
		{"No.", qa.No},
		{"Nope, sold separately", qa.No},
		{"It does not come with a power cord.", qa.No},
		{"It doesn't", qa.No},
		{"It doesn’t, sadly", qa.No},
		{"Not that I know of", qa.No},
		{"Noise is low.", qa.Neither},
		{"Notably quiet", qa.Neither},
		{"Yesterday it broke", qa.Neither},
		{"I replaced my old one with this without a hitch.", qa.Neither},
		{"是的，可以", qa.Yes},
		{"可以用", qa.Yes},
		{"不能", qa.No},
		{"没有配电源线", qa.No},
		{"", qa.Neither},
	} {
		if got := qa.AnswerPolarity(tc.answer); got != tc.want {
			t.Errorf("AnswerPolarity(%q) = %v, want %v", tc.answer, got, tc.want)
		}
	}
}

func TestIsYesNoQuestion(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want bool
	}{
		{"Does it come with a power cord?", true},
		{"Is this a dress", true},
		{"can I replace Badger 1 1/3 with a Badger 5 1/2 - with same connections?", true},
		{"For the 2014 model, will it fit?", true},
		{"What colour is it?", false},
		{"model number", false},
		{"How much does it cost?", false},
		{"这是连衣裙吗？", true},
		{"是不是黑色", true},
		{"能不能机洗", true},
		{"这是什么颜色？", false},
		{"", false},
	} {
		if got := qa.IsYesNoQuestion(tc.q); got != tc.want {
			t.Errorf("IsYesNoQuestion(%q) = %v, want %v", tc.q, got, tc.want)
		}
	}
}

func TestLabelPolarity(t *testing.T) {
	for in, want := range map[string]qa.Polarity{"Y": qa.Yes, "n": qa.No, "?": qa.Neither, "": qa.Neither} {
		if got := qa.LabelPolarity(in); got != want {
			t.Errorf("LabelPolarity(%q) = %v, want %v", in, got, want)
		}
	}
}
