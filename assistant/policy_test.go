package assistant

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aislehq/aisle"
	"github.com/google/go-cmp/cmp"
)

func TestParseMarkdownPolicies(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []Section
		err       bool
	}{
		{"two topics", "# Shipping\nFree over $35.\n\n## Returns\nWithin 30 days.\nUnopened only.\n",
			[]Section{{"Shipping", "Free over $35."}, {"Returns", "Within 30 days.\nUnopened only."}}, false},
		{"preamble ignored, deeper headings kept", "Intro text\n# Warranty\nOne year.\n### Exceptions\nBatteries.\n",
			[]Section{{"Warranty", "One year.\n### Exceptions\nBatteries."}}, false},
		{"empty section dropped", "# Empty\n\n# Payment\nVisa.\n", []Section{{"Payment", "Visa."}}, false},
		{"closing hashes", "## Payment ##\r\nVisa.\r\n", []Section{{"Payment", "Visa."}}, false},
		{"no heading", "just text", nil, true},
		{"heading only", "# Shipping\n", nil, true},
		{"not utf-8", "# A\n\xff\n", nil, true},
		{"hash without space is text", "#Shipping\nx\n", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseMarkdownPolicies(tt.doc)
			if (err != nil) != tt.err {
				t.Fatalf("err %v, want error %v", err, tt.err)
			}
			if err != nil {
				if aisle.ErrorCode(err) != aisle.EINVALID {
					t.Errorf("code %q, want %q", aisle.ErrorCode(err), aisle.EINVALID)
				}
				return
			}
			if d := cmp.Diff(tt.want, p.Sections); d != "" {
				t.Errorf("sections (-want +got):\n%s", d)
			}
		})
	}
}

func TestParseYAMLPolicies(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []Section
		err       string
	}{
		{"one-line and block", "# store policies\nshipping: \"Free over $35.\"\nreturns: |\n  Within 30 days.\n  Unopened only.\nwarranty: >\n  One\n  year.\n",
			[]Section{{"shipping", "Free over $35."}, {"returns", "Within 30 days.\nUnopened only."}, {"warranty", "One year."}}, ""},
		{"document marker", "---\npayment: Visa\n", []Section{{"payment", "Visa"}}, ""},
		{"no colon", "shipping free\n", nil, "line 1"},
		{"empty value", "shipping:\n", nil, "line 1"},
		{"stray indent", "a: b\n  c\n", nil, "line 2"},
		{"empty", "# nothing\n", nil, "no \"topic: text\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseYAMLPolicies(tt.doc)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want one saying %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, p.Sections); d != "" {
				t.Errorf("sections (-want +got):\n%s", d)
			}
		})
	}
}

func TestReadPolicies(t *testing.T) {
	p, err := ReadPolicies(filepath.Join("testdata", "policies.md"))
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, s := range p.Sections {
		titles = append(titles, s.Title)
	}
	if d := cmp.Diff([]string{"Store policies", "Shipping", "Returns and refunds", "Warranty", "Payment", "Contact"}, titles); d != "" {
		t.Errorf("titles (-want +got):\n%s", d)
	}
	dir := t.TempDir()
	y := filepath.Join(dir, "p.yaml")
	if err := os.WriteFile(y, []byte("returns: Within 30 days.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if p, err := ReadPolicies(y); err != nil || len(p.Sections) != 1 {
		t.Errorf("yaml: %v, %v", p, err)
	}
	if _, err := ReadPolicies(filepath.Join(dir, "missing.md")); err == nil {
		t.Error("a missing file read")
	}
}

func TestPolicyLookup(t *testing.T) {
	p, err := ReadPolicies(filepath.Join("testdata", "policies.md"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ q, want string }{
		{"what is your return policy?", "Returns and refunds"},
		{"can i get a refund", "Returns and refunds"},
		{"how long does delivery take", "Shipping"},
		{"do you ship to canada", "Shipping"},
		{"运费多少", "Shipping"},
		{"退货政策", "Returns and refunds"},
		{"is there a warranty", "Warranty"},
		{"can i pay with paypal", "Payment"},
		{"how do i contact support", "Contact"},
		{"what is the airspeed of a swallow", ""},
		{"relationship advice", ""}, // "ship" only as a whole word
	}
	for _, tt := range tests {
		got := ""
		if secs := p.Lookup(tt.q); len(secs) > 0 {
			got = secs[0].Title
		}
		if got != tt.want {
			t.Errorf("Lookup(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
	if got := (Policies{}).Lookup("returns"); len(got) != 0 {
		t.Errorf("no policies: %v", got)
	}
}

// FuzzParsePolicies checks that any input either parses into sections
// with titles and text, or is refused, never panicking.
func FuzzParsePolicies(f *testing.F) {
	for _, s := range []string{"# A\nb\n", "a: b\n", "a: |\n  b\n", "## x ##\n\ny", "", "#\n#\n", "a:\n", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		for _, parse := range []func(string) (Policies, error){ParseMarkdownPolicies, ParseYAMLPolicies} {
			p, err := parse(doc)
			if err != nil {
				continue
			}
			if len(p.Sections) == 0 {
				t.Fatalf("no sections and no error for %q", doc)
			}
			for _, s := range p.Sections {
				if strings.TrimSpace(s.Title) == "" || strings.TrimSpace(s.Text) == "" || !utf8.ValidString(s.Text) {
					t.Fatalf("bad section %+v from %q", s, doc)
				}
			}
		}
	})
}
