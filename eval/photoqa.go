package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/visual"
	"github.com/aislehq/aisle/qa"
)

// TaskPhotoQA is the photo questions evaluation (RunPhotoQA).
const TaskPhotoQA = "photoqa"

// PhotoQAStore is the store RunPhotoQA works in: the imported photo
// dataset's items, which it rewrites and the photo reader built over the
// same store reads, and the stored questions /ask reads (none here);
// *sqlite.DB is one.
type PhotoQAStore interface {
	aisle.ItemLister
	UpsertItems(ctx context.Context, items []aisle.Item) (aisle.UpsertStats, error)
	qa.QuestionSource
}

// PhotoQAOptions configure RunPhotoQA.
type PhotoQAOptions struct {
	// Path is the dataset's path, named in the report.
	Path string
	// Model names the image model in the report.
	Model string
	// Colours is the colour annotation file (ReadColourAnnotations); ""
	// asks no colour question.
	Colours string
	// ModelDir is where the photo category head is saved
	// (visual.TrainClassifier); required.
	ModelDir string
	// JSON writes the PhotoQAReport as one JSON object instead of text.
	JSON bool
	// Progress, when not nil, receives what the photo classifier's
	// training says.
	Progress io.Writer
}

// PhotoQABaseline is a baseline's accuracy on a PhotoQARow's questions.
type PhotoQABaseline struct {
	Name     string  `json:"name"`
	Accuracy float64 `json:"accuracy"`
}

// PhotoQARow is the answerer's score on one kind of question in one
// language.
type PhotoQARow struct {
	Kind      string `json:"kind"`
	Lang      string `json:"lang"`
	Questions int    `json:"questions"`
	// Accuracy is the share answered rightly (PhotoQuestion.Correct);
	// "unknown" counts as wrong.
	Accuracy float64 `json:"accuracy"`
	// Unknown is the share answered "unknown"; AnsweredAccuracy the
	// accuracy on the others.
	Unknown          float64 `json:"unknown"`
	AnsweredAccuracy float64 `json:"answered_accuracy"`
	// ExactColour, for English open colour questions, is the share whose
	// first colour is an annotated colour by its exact palette name.
	ExactColour float64 `json:"exact_colour,omitempty"`
	// AnyColour, for open colour questions, is the share whose answer
	// names a colour of an annotated family anywhere, not only first.
	AnyColour float64 `json:"any_colour,omitempty"`
	// Baselines are the accuracies of answers that ignore the photo.
	Baselines []PhotoQABaseline `json:"baselines"`
	// NotReadUnknown is the share answered "unknown" when the same
	// questions are asked of the items before their photos are read
	// (no Visual): it must be 1, nothing else tells.
	NotReadUnknown float64 `json:"not_read_unknown"`
	// Wrong are the first few questions answered wrongly
	// (maxWrongExamples), to read.
	Wrong []PhotoQAExample `json:"wrong,omitempty"`
}

// PhotoQAExample is one question asked and the answer given.
type PhotoQAExample struct {
	Item     string `json:"item"`
	Label    string `json:"label"`
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// maxWrongExamples bounds PhotoQARow.Wrong.
const maxWrongExamples = 5

// photoKinds order the report's rows.
var photoKinds = []string{PhotoCategoryYesNo, PhotoCategoryOpen, PhotoSleeveYesNo, PhotoColourOpen, PhotoColourYesNo}

// PhotoQAReport is RunPhotoQA's result.
type PhotoQAReport struct {
	Path  string `json:"path"`
	Model string `json:"model"`
	// Train and Test count the photos of each split read; Annotated the
	// test photos with hand-annotated colours; Classes the classes.
	Train     int `json:"train"`
	Test      int `json:"test"`
	Annotated int `json:"annotated"`
	Classes   int `json:"classes"`
	// Failed counts photos the reader could not use; ReadSeconds is the
	// time reading the photos took (fetch, decode, colours, CNN, store).
	Failed      int     `json:"failed"`
	ReadSeconds float64 `json:"read_seconds"`
	// HeadAccuracy is the share of test photos whose predicted category
	// (Visual.Category) is their label: what the category answers rest on.
	HeadAccuracy float64 `json:"head_accuracy"`
	// MajorityClass is the training split's most frequent class;
	// MajorityColour the most frequent annotated primary colour.
	MajorityClass  string `json:"majority_class"`
	MajorityColour string `json:"majority_colour,omitempty"`
	// Rows are the scores by kind and language, in PhotoQuestions' order
	// of kinds.
	Rows []PhotoQARow `json:"rows"`
}

// RunPhotoQA evaluates answering shoppers' questions from the photo
// alone on the photo dataset in store (the photo-folder format, already
// imported; see Import), through the real photo pipeline and the real
// answerer (qa.Answerer.Ask, what POST /v1/items/{id}/ask runs):
//
//  1. The test photos' items lose every text fact: title "item N", no
//     category, no attribute. Validation photos are not used.
//  2. r, a photo reader over store with an image model, reads the train
//     and test photos (colours, labels, vector), and the photo category
//     head is trained on the train photos alone (visual.TrainClassifier:
//     only items with a category train it) and predicts every test
//     photo's category.
//  3. PhotoQuestions are asked of each test item as the store now has
//     it, and once more of the item without its Visual (photo not read).
//
// It writes the report to w: text, or with opts.JSON one JSON object. It
// returns ErrNoPhotos (wrapped) when the dataset has no train or no test
// photos, and the store's, the reader's or the annotation file's errors.
func RunPhotoQA(ctx context.Context, store PhotoQAStore, r *visual.Reader, opts PhotoQAOptions, w io.Writer) error {
	rep, err := PhotoQAExperiment(ctx, store, r, opts)
	if err != nil {
		return err
	}
	if opts.JSON {
		return json.NewEncoder(w).Encode(rep)
	}
	return writePhotoQAReport(w, rep)
}

// PhotoQAExperiment is RunPhotoQA without the report's writing.
func PhotoQAExperiment(ctx context.Context, store PhotoQAStore, r *visual.Reader, opts PhotoQAOptions) (*PhotoQAReport, error) {
	if r == nil || !r.HasModel() {
		return nil, fmt.Errorf("eval photoqa: the photo reader has no image model")
	}
	items, err := aisle.AllItems(ctx, store)
	if err != nil {
		return nil, err
	}
	photos, err := PhotosFromItems(items)
	if err != nil {
		return nil, err
	}
	train, test := inSplit(photos, SplitTrain), inSplit(photos, SplitTest)
	if len(train) == 0 || len(test) == 0 {
		return nil, fmt.Errorf("eval photoqa: the dataset needs train and test photos: %w", ErrNoPhotos)
	}
	colours := map[string][]string{}
	if opts.Colours != "" {
		if colours, err = readColourFile(opts.Colours); err != nil {
			return nil, err
		}
	}
	byID := make(map[string]aisle.Item, len(items))
	for _, it := range items {
		byID[it.ID] = it
	}
	// 1. The test items keep their photo and nothing else.
	read := make([]aisle.Item, 0, len(train)+len(test))
	for _, p := range train {
		read = append(read, byID[p.ID])
	}
	for k, p := range test {
		read = append(read, aisle.Item{ID: p.ID, Title: fmt.Sprintf("item %d", k+1), Images: byID[p.ID].Images})
	}
	if _, err := store.UpsertItems(ctx, read[len(train):]); err != nil {
		return nil, fmt.Errorf("eval photoqa: strip the test items' texts: %w", err)
	}
	// 2. The photo pipeline.
	start := time.Now()
	rr, err := r.Read(ctx, read)
	if err != nil {
		return nil, err
	}
	rep := &PhotoQAReport{Path: opts.Path, Model: opts.Model, Train: len(train), Test: len(test), Failed: rr.Failed, ReadSeconds: time.Since(start).Seconds()}
	vecs := make(map[string][]float32, len(rr.Vectors))
	for _, v := range rr.Vectors {
		vecs[v.Item] = v.Vector
	}
	if err := visual.TrainClassifier(ctx, r, read, vecs, opts.ModelDir, opts.Progress); err != nil {
		return nil, err
	}
	// 3. The questions, asked of the items as stored.
	if items, err = aisle.AllItems(ctx, store); err != nil {
		return nil, err
	}
	for _, it := range items {
		byID[it.ID] = it
	}
	classes := map[string]bool{}
	for _, p := range photos {
		classes[p.Label] = true
	}
	rep.Classes = len(classes)
	rep.MajorityClass = majorityLabel(train)
	var right int
	for _, p := range test {
		if v := byID[p.ID].Visual; v != nil && len(v.Category) > 0 && v.Category[len(v.Category)-1] == p.Label {
			right++
		}
	}
	rep.HeadAccuracy = float64(right) / float64(len(test))
	annotated := map[string][]string{}
	for _, p := range test {
		if cs, ok := colours[p.ID]; ok {
			annotated[p.ID] = cs
		}
	}
	rep.Annotated = len(annotated)
	rep.MajorityColour = majorityColour(annotated)
	qs := PhotoQuestions(test, slices.Sorted(maps.Keys(classes)), annotated)
	answerer := qa.New(store, nil, qa.Options{})
	type tally struct {
		n, right, unknown, notRead, exact, any int
		base                                   []int
		wrong                                  []PhotoQAExample
	}
	var keys []string
	tallies := map[string]*tally{}
	for _, q := range qs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		key := q.Kind + "\x00" + q.Lang
		t := tallies[key]
		if t == nil {
			t = &tally{base: make([]int, 2)}
			tallies[key] = t
			keys = append(keys, key)
		}
		it := byID[q.Item]
		ans, err := answerer.Ask(ctx, &it, q.Text, "")
		if err != nil {
			return nil, fmt.Errorf("eval photoqa: ask %q of %s: %w", q.Text, q.Item, err)
		}
		t.n++
		if q.Correct(ans) {
			t.right++
		} else if len(t.wrong) < maxWrongExamples {
			t.wrong = append(t.wrong, PhotoQAExample{q.Item, q.Label, q.Text, ans.Answer})
		}
		if ans.Type == qa.TypeUnknown {
			t.unknown++
		}
		if q.Kind == PhotoColourOpen && ans.Type != qa.TypeUnknown {
			if name, _ := firstColour(ans.Answer); name != "" && slices.Contains(q.Colours, name) {
				t.exact++
			}
			fams := families(q.Colours)
			if slices.ContainsFunc(allColours(ans.Answer), func(f string) bool { return slices.Contains(fams, f) }) {
				t.any++
			}
		}
		it.Visual = nil
		bare, err := answerer.Ask(ctx, &it, q.Text, "")
		if err != nil {
			return nil, fmt.Errorf("eval photoqa: ask %q of %s unread: %w", q.Text, q.Item, err)
		}
		if bare.Type == qa.TypeUnknown {
			t.notRead++
		}
		for i, ok := range baselineRight(q, rep.MajorityClass, rep.MajorityColour) {
			if ok {
				t.base[i]++
			}
		}
	}
	slices.SortStableFunc(keys, func(a, b string) int {
		ka, la, _ := strings.Cut(a, "\x00")
		kb, lb, _ := strings.Cut(b, "\x00")
		if c := slices.Index(photoKinds, ka) - slices.Index(photoKinds, kb); c != 0 {
			return c
		}
		return strings.Compare(la, lb)
	})
	for _, key := range keys {
		t := tallies[key]
		kind, lang, _ := strings.Cut(key, "\x00")
		n := float64(t.n)
		row := PhotoQARow{Kind: kind, Lang: lang, Questions: t.n, Accuracy: float64(t.right) / n, Unknown: float64(t.unknown) / n, NotReadUnknown: float64(t.notRead) / n, Wrong: t.wrong}
		if t.n > t.unknown {
			row.AnsweredAccuracy = float64(t.right) / float64(t.n-t.unknown)
		}
		if kind == PhotoColourOpen {
			row.AnyColour = float64(t.any) / n
			if lang == "en" {
				row.ExactColour = float64(t.exact) / n
			}
		}
		for i, name := range baselineNames(kind, rep.MajorityClass, rep.MajorityColour) {
			row.Baselines = append(row.Baselines, PhotoQABaseline{name, float64(t.base[i]) / n})
		}
		rep.Rows = append(rep.Rows, row)
	}
	return rep, nil
}

// readColourFile reads the colour annotations at path, by item ID.
func readColourFile(path string) (map[string][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("eval photoqa: %w", err)
	}
	defer f.Close()
	as, err := ReadColourAnnotations(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make(map[string][]string, len(as))
	for _, a := range as {
		out[a.ID()] = a.Colours
	}
	return out, nil
}

// majorityColour is the most frequent primary colour of the annotations
// (the first in sorted order on ties), "" without any.
func majorityColour(annotated map[string][]string) string {
	count := map[string]int{}
	for _, cs := range annotated {
		count[cs[0]]++
	}
	best := ""
	for _, c := range slices.Sorted(maps.Keys(count)) {
		if best == "" || count[c] > count[best] {
			best = c
		}
	}
	return best
}

// baselineNames names the baselines of a kind of question, in the order
// baselineRight scores them.
func baselineNames(kind, class, colour string) []string {
	switch kind {
	case PhotoCategoryOpen:
		return []string{"most frequent train class (" + class + ")"}
	case PhotoColourOpen:
		return []string{"most frequent annotated colour (" + colour + ")"}
	}
	return []string{"always yes", "always no"}
}

// baselineRight says whether each baseline answers q rightly.
func baselineRight(q PhotoQuestion, class, colour string) []bool {
	switch q.Kind {
	case PhotoCategoryOpen:
		return []bool{q.Want == class}
	case PhotoColourOpen:
		return []bool{slices.Contains(families(q.Colours), colourFamilies[colour])}
	}
	return []bool{q.Want == qa.TypeYes, q.Want == qa.TypeNo}
}

// writePhotoQAReport writes rep as text.
func writePhotoQAReport(w io.Writer, rep *PhotoQAReport) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Photo questions on %s: %d test photos as items with no text (title \"item N\", no category or attribute), %d of them with hand-annotated colours\n",
		rep.Path, rep.Test, rep.Annotated)
	fmt.Fprintf(&b, "photo pipeline (%s): %d train + %d test photos read in %.1fs (%d failed); category head trained on the %d train photos, right on %.4f of the test photos\n\n",
		rep.Model, rep.Train, rep.Test, rep.ReadSeconds, rep.Failed, rep.Train, rep.HeadAccuracy)
	fmt.Fprintf(&b, "%-16s %-4s %9s %9s %8s %10s %10s  %s\n", "question", "lang", "questions", "accuracy", "unknown", "answered", "not read", "baselines (accuracy)")
	for _, r := range rep.Rows {
		var bs []string
		for _, x := range r.Baselines {
			bs = append(bs, fmt.Sprintf("%s %.3f", x.Name, x.Accuracy))
		}
		fmt.Fprintf(&b, "%-16s %-4s %9d %9.3f %8.3f %10.3f %10.3f  %s\n", r.Kind, r.Lang, r.Questions, r.Accuracy, r.Unknown, r.AnsweredAccuracy, r.NotReadUnknown, strings.Join(bs, ", "))
	}
	b.WriteString("\naccuracy: share right (\"unknown\" is wrong); unknown: share answered \"unknown\"; answered: accuracy on the rest; not read: share \"unknown\" when asked before the photo is read\n")
	for _, r := range rep.Rows {
		if r.Kind == PhotoColourOpen && r.Lang == "en" {
			fmt.Fprintf(&b, "colour open (en): the first colour is an annotated one by its exact palette name on %.3f (by family, as scored: %.3f); some colour named is of an annotated family on %.3f\n", r.ExactColour, r.Accuracy, r.AnyColour)
		}
	}
	b.WriteString("\nfirst wrong answers:\n")
	for _, r := range rep.Rows {
		for _, x := range r.Wrong {
			fmt.Fprintf(&b, "  %-16s %s (%s) %q → %q\n", r.Kind, x.Item, x.Label, x.Question, x.Answer)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
