package query

import (
	"errors"
	"sync"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/text/analyze"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func price(v float64) *float64 { return &v }

// TestParseOffice reads shoppers' queries against the real Office
// catalog.
func TestParseOffice(t *testing.T) {
	tests := []struct {
		q    string
		want Intent
	}{
		// Categories and brands, as the catalog spells them.
		{"paper shredder", Intent{Language: "en", Terms: []string{"paper", "shredder"}, Category: "Shredders"}},
		{"laser printer paper", Intent{Language: "en", Terms: []string{"laser", "printer", "paper"}, Category: "Laser Printer Paper"}},
		{"ballpoint pens", Intent{Language: "en", Terms: []string{"ballpoint", "pen"}, Category: "Ballpoint Pens",
			Synonyms: map[string][]string{"ballpoint": {"ball point"}}}},
		{"printer paper", Intent{Language: "en", Terms: []string{"printer", "paper"}, Category: "Paper"}}, // the head noun
		{"scientific calculator", Intent{Language: "en", Terms: []string{"scientif", "calcul"}, Category: "Calculators"}},
		{"envelopes", Intent{Language: "en", Terms: []string{"envelop"}, Category: "Envelopes"}},
		// "Phones" holds one item: too few to name.
		{"phone", Intent{Language: "en", Terms: []string{"phone"}}},
		{"bic pens", Intent{Language: "en", Terms: []string{"pen"}, Brand: "BIC", Category: "Pens & Refills"}},
		{"Paper Mate pens", Intent{Language: "en", Terms: []string{"pen"}, Brand: "Paper Mate", Category: "Pens & Refills"}},
		{"post it notes", Intent{Language: "en", Terms: []string{"note"}, Brand: "Post-It"}},
		{"HP 61 black ink", Intent{Language: "en", Terms: []string{"61", "ink"}, Brand: "HP", Colors: []string{"black"}}},
		// "Phones" is a category, but it holds one of the cordless phones.
		{"cordless phone", Intent{Language: "en", Terms: []string{"cordless", "phone"}}},
		// Colours.
		{"black gel pens", Intent{Language: "en", Terms: []string{"gel", "pen"}, Colors: []string{"black"}, Category: "Pens & Refills"}},
		{"grey or silver stapler", Intent{Language: "en", Terms: []string{"stapler"}, Colors: []string{"gray", "silver"}, Category: "Staplers & Punches"}},
		// Prices.
		{"pens under 30", Intent{Language: "en", Terms: []string{"pen"}, Category: "Pens & Refills", MaxPrice: price(30)}},
		{"under $30", Intent{Language: "en", MaxPrice: price(30)}},
		{"less than $20", Intent{Language: "en", MaxPrice: price(20)}},
		{"below 20 dollars", Intent{Language: "en", MaxPrice: price(20)}},
		{"30-50", Intent{MinPrice: price(30), MaxPrice: price(50)}},
		{"$30 to $50", Intent{Language: "en", MinPrice: price(30), MaxPrice: price(50)}},
		{"between 30 and 50", Intent{Language: "en", MinPrice: price(30), MaxPrice: price(50)}},
		{"over 100", Intent{Language: "en", MinPrice: price(100)}},
		{"at least 15.50", Intent{Language: "en", MinPrice: price(15.5)}},
		{"over 20 under 50", Intent{Language: "en", MinPrice: price(20), MaxPrice: price(50)}},
		{"30元以下", Intent{Language: "zh", MaxPrice: price(30)}},
		// Numbers that are quantities or model numbers are no prices.
		{"5-10 sheets", Intent{Language: "en", Terms: []string{"5", "10", "sheet"}}},
		{"20200-1", Intent{Terms: []string{"20200", "1"}}},
		// Exclusions.
		{"headset without bluetooth", Intent{Language: "en", Terms: []string{"headset"}, Category: "Headsets", Exclude: []string{"bluetooth"}}},
		{"no batteries", Intent{Language: "en", Exclude: []string{"batteri"}}},
		{"not wireless", Intent{Language: "en", Exclude: []string{"wireless"}}},
		{"headset -wireless", Intent{Language: "en", Terms: []string{"headset"}, Category: "Headsets", Exclude: []string{"wireless"}}},
		{"不要蓝牙", Intent{Language: "zh", Exclude: []string{"bluetooth"}}},
		// Sorts.
		{"cheapest stapler", Intent{Language: "en", Terms: []string{"stapler"}, Category: "Staplers & Punches", Sort: SortPriceAsc}},
		{"lowest price", Intent{Language: "en", Sort: SortPriceAsc}},
		{"most expensive", Intent{Language: "en", Sort: SortPriceDesc}},
		{"newest", Intent{Language: "en", Sort: SortNewest}},
		{"best selling", Intent{Language: "en", Sort: SortPopular}},
		{"best-selling", Intent{Language: "en", Sort: SortPopular}},
		// Spelling.
		{"cordles phone", Intent{Language: "en", Corrected: "cordless phone", Terms: []string{"cordless", "phone"}}},
		{"staplr", Intent{Language: "en", Corrected: "stapler", Terms: []string{"stapler"}, Category: "Staplers & Punches"}},
		// English words the catalog lacks stay as they are (Hunspell).
		{"blond", Intent{Language: "en", Terms: []string{"blond"}}},
		{"swipe", Intent{Language: "en", Terms: []string{"swipe"}}},
		{"Sharpee markers", Intent{Language: "en", Corrected: "sharpie markers", Terms: []string{"marker"}, Brand: "Sharpie", Category: "Markers & Highlighters"}},
		// Chinese over the English catalog.
		{"订书机", Intent{Language: "zh", Terms: []string{"stapler"}, Category: "Staplers & Punches",
			Synonyms: map[string][]string{"stapler": {"stapl machin"}}}},
		{"黑色 笔", Intent{Language: "zh", Terms: []string{"pen"}, Colors: []string{"black"},
			Synonyms: map[string][]string{"pen": {"pencil", "write brush"}}}},
		{"最便宜的订书机", Intent{Language: "zh", Terms: []string{"stapler"}, Category: "Staplers & Punches", Sort: SortPriceAsc,
			Synonyms: map[string][]string{"stapler": {"stapl machin"}}}},
		// Other languages, and nonsense: terms and nothing else.
		{"stylo noir pour enfants", Intent{Language: "fr", Terms: []string{"stylo", "noir", "pour", "enfant"}}},
		{"Привет", Intent{Language: "ru", Terms: []string{"привет"}}},
		{"xqzvw blorft", Intent{Language: "en", Terms: []string{"xqzvw", "blorft"}}},
		{"the of and", Intent{Language: "en"}},
	}
	u := office(t)
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			got, err := u.Parse(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Query = tt.q
			if diff := cmp.Diff(got, tt.want, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Parse(%q) (-got +want):\n%s", tt.q, diff)
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	u := tiny(t, Config{})
	long := make([]byte, MaxQueryBytes+1)
	for i := range long {
		long[i] = 'a'
	}
	for _, q := range []string{"", "   ", "\t\n", string(long), "pen\xff"} {
		_, err := u.Parse(q)
		var e *aisle.Error
		if !errors.As(err, &e) || e.Code != aisle.EINVALID || e.Field != "q" {
			t.Errorf("Parse(%.20q) = %v, want EINVALID naming q", q, err)
		}
	}
	if _, err := u.Parse(string(long[:MaxQueryBytes])); err != nil {
		t.Errorf("Parse of %d bytes: %v", MaxQueryBytes, err)
	}
}

// tinyItems is a made-up three-item catalog for tests of mechanics that
// need no real data.
func tinyItems() []aisle.Item {
	return []aisle.Item{
		{ID: "1", Title: "Swingline Desktop Stapler, Black", Brand: "Swingline", Categories: []string{"Office", "Staplers"}},
		{ID: "2", Title: "Gel Ink Pens, Blue, 12 Pack", Brand: "Pilot", Categories: []string{"Office", "Pens"}},
		{ID: "3", Title: "Cordless Telephone with Answering Machine", Brand: "VTech", Categories: []string{"Electronics", "Telephones"}},
	}
}

// tiny returns an Understander of tinyItems, without dictionaries.
func tiny(tb testing.TB, cfg Config) *Understander {
	tb.Helper()
	u, err := Learn(tinyItems(), nil, analyze.New(analyze.Config{}), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

func TestLearnMissingCEDICT(t *testing.T) {
	an := analyze.New(analyze.Config{})
	u, err := Learn(tinyItems(), nil, an, Config{CEDICT: "lib/does-not-exist"})
	if err == nil {
		t.Fatalf("Learn with a missing CEDICT named in Config = %v, want an error", u)
	}
	// The default path may be missing: translation is off, Parse works.
	u = tiny(t, Config{})
	if u.Translates() {
		t.Skip("CC-CEDICT found at the default path from the package folder")
	}
	got, err := u.Parse("订书机")
	if err != nil {
		t.Fatal(err)
	}
	if got.Language != "zh" || len(got.Terms) == 0 {
		t.Errorf("Parse(订书机) without CEDICT = %+v", got)
	}
}

// TestParseConcurrent parses from several goroutines at once (meaningful
// under -race).
func TestParseConcurrent(t *testing.T) {
	u := tiny(t, Config{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for _, q := range []string{"black staplr under $30", "不要蓝牙", "cordless telephone -wireless"} {
				if _, err := u.Parse(q); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
}
