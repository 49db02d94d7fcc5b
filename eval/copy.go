package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/copywriter"
	"github.com/aislehq/aisle/grounding"
	"github.com/aislehq/aisle/importer"
	"github.com/aislehq/aisle/text/extract"
)

// TaskCopy is the product copy evaluation (RunCopy).
const TaskCopy = "copy"

// CopyScores are one method's scores in one language.
type CopyScores struct {
	Method string `json:"method"`
	Lang   string `json:"lang"`
	// Claims counts the factual claims the checker found in all copies;
	// Precision is the share the facts support (1 with no claims).
	Claims    int     `json:"claims"`
	Precision float64 `json:"claim_precision"`
	// Coverage is the mean, over items with facts, of the share of the
	// item's facts (brand, category levels, extracted attributes; not
	// the title) the copy mentions.
	Coverage float64 `json:"fact_coverage"`
	// Distinct2 is distinct-2 over all the copies.
	Distinct2 float64 `json:"distinct_2"`
	// RougeL (mean ROUGE-L F1) and BLEU (corpus BLEU-4) compare the
	// copies with the items' own descriptions; English only.
	RougeL *float64 `json:"rouge_l,omitempty"`
	BLEU   *float64 `json:"bleu,omitempty"`
	// Words is the copies' mean length (copywriter's word count: Chinese
	// characters count one each).
	Words float64 `json:"words"`
}

// CopyReport is the result of the copy evaluation.
type CopyReport struct {
	// Items counts the catalog's items; Evaluated those with a
	// description, which the copy is compared against.
	Items     int          `json:"items"`
	Evaluated int          `json:"evaluated"`
	Results   []CopyScores `json:"results"`
}

// copyInput is one evaluated item: its facts (from title, brand,
// categories and attributes only) and its description's tokens.
type copyInput struct {
	facts *grounding.Facts
	ref   []string
}

// CopyExperiment writes copy for every item of the catalog that has a
// description, from the item without it (title, brand, categories,
// attributes, and what the extractor reads from them), with the built-in
// writer in each style in English and Chinese, and the title as copy as
// the baseline; it scores claim precision (the checker knowing every
// brand of the catalog), fact coverage and distinct-2, and, in English,
// ROUGE-L and BLEU against the descriptions.
func CopyExperiment(items []aisle.Item) CopyReport {
	ex := extract.New(extract.Learn(items))
	var brands []string
	for _, it := range items {
		if it.Brand != "" {
			brands = append(brands, it.Brand)
		}
	}
	checker := grounding.NewChecker(brands)
	var inputs []copyInput
	for _, it := range items {
		if strings.TrimSpace(it.Description) == "" {
			continue
		}
		ref := CopyTokens(grounding.Clean(it.Description))
		it.Description = ""
		it.Extracted = ex.Extract(&it)
		inputs = append(inputs, copyInput{facts: grounding.New(&it, nil, nil), ref: ref})
	}
	rep := CopyReport{Items: len(items), Evaluated: len(inputs)}
	type method struct {
		name  string
		lang  string
		write func(f *grounding.Facts) string
	}
	var methods []method
	methods = append(methods, method{"title as copy (baseline)", "en", func(f *grounding.Facts) string { return f.Title }})
	for _, lang := range []string{"en", "zh"} {
		for _, st := range []copywriter.Style{copywriter.StyleShort, copywriter.StyleDetailed, copywriter.StyleBullet} {
			req := copywriter.Request{Lang: lang, Style: st}
			methods = append(methods, method{"built-in " + string(st), lang, func(f *grounding.Facts) string { return copywriter.Builtin(f, req).Text }})
		}
	}
	for _, m := range methods {
		rep.Results = append(rep.Results, scoreCopy(m.name, m.lang, inputs, checker, m.write))
	}
	return rep
}

// scoreCopy writes every input's copy with write and scores them.
func scoreCopy(name, lang string, inputs []copyInput, checker *grounding.Checker, write func(*grounding.Facts) string) CopyScores {
	s := CopyScores{Method: name, Lang: lang}
	var supported, covItems int
	var cov, rouge, words float64
	var toks, cands, refs [][]string
	for _, in := range inputs {
		text := write(in.facts)
		r := checker.Check(text, in.facts)
		s.Claims += len(r.Claims)
		supported += r.Supported
		if n := len(countable(in.facts)); n > 0 {
			cov += float64(len(copywriter.Mentioned(text, lang, in.facts))) / float64(n)
			covItems++
		}
		ts := CopyTokens(text)
		toks = append(toks, ts)
		words += float64(len(ts))
		if lang == "en" {
			rouge += RougeL(ts, in.ref)
			cands = append(cands, ts)
			refs = append(refs, in.ref)
		}
	}
	s.Precision = 1
	if s.Claims > 0 {
		s.Precision = float64(supported) / float64(s.Claims)
	}
	if covItems > 0 {
		s.Coverage = cov / float64(covItems)
	}
	s.Distinct2 = Distinct(toks, 2)
	if n := len(inputs); n > 0 {
		s.Words = words / float64(n)
		if lang == "en" {
			rl, bl := rouge/float64(n), BLEU(cands, refs)
			s.RougeL, s.BLEU = &rl, &bl
		}
	}
	return s
}

// countable returns the facts coverage counts: those Mentioned can find
// (not the title, Q&A or availability).
func countable(f *grounding.Facts) []grounding.Fact {
	var out []grounding.Fact
	for _, fa := range f.List() {
		switch fa.Kind {
		case grounding.KindTitle, grounding.KindQA, grounding.KindAvailability:
			continue
		}
		out = append(out, fa)
	}
	return out
}

// CopyOptions configure RunCopy.
type CopyOptions struct {
	// Path and Format name the catalog (as ReadItems takes them).
	Path, Format string
	// JSON prints the report as one JSON object.
	JSON bool
}

// RunCopy reads the catalog at opts.Path, runs CopyExperiment and
// writes the report to w. It fails when the catalog has no item with a
// description.
func RunCopy(ctx context.Context, opts CopyOptions, w io.Writer) error {
	items, err := importer.ReadItems(ctx, opts.Path, opts.Format)
	if err != nil {
		return err
	}
	rep := CopyExperiment(items)
	if rep.Evaluated == 0 {
		return fmt.Errorf("eval copy: %s: no item has a description to compare with", opts.Path)
	}
	if opts.JSON {
		return json.NewEncoder(w).Encode(rep)
	}
	return writeCopyReport(w, opts.Path, rep)
}

// writeCopyReport writes rep as a text table.
func writeCopyReport(w io.Writer, path string, rep CopyReport) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Product copy on %s: %d items, %d with a description (the reference); copy written from title, brand, categories and attributes only\n\n", path, rep.Items, rep.Evaluated)
	fmt.Fprintf(&b, "  %-26s %-4s %8s %9s %9s %10s %8s %7s %6s\n", "method", "lang", "claims", "precision", "coverage", "distinct-2", "ROUGE-L", "BLEU", "words")
	for _, s := range rep.Results {
		rl, bl := "-", "-"
		if s.RougeL != nil {
			rl = fmt.Sprintf("%.4f", *s.RougeL)
		}
		if s.BLEU != nil {
			bl = fmt.Sprintf("%.4f", *s.BLEU)
		}
		fmt.Fprintf(&b, "  %-26s %-4s %8d %9.4f %9.4f %10.4f %8s %7s %6.1f\n", s.Method, s.Lang, s.Claims, s.Precision, s.Coverage, s.Distinct2, rl, bl, s.Words)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
