package aisle_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/rules"
)

func TestRuleActive(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	r := aisle.Rule{Start: t0, End: t0.Add(time.Hour)}
	for _, tt := range []struct {
		at   time.Time
		want bool
	}{
		{t0.Add(-time.Nanosecond), false}, {t0, true}, {t0.Add(59 * time.Minute), true}, {t0.Add(time.Hour), false},
	} {
		if got := r.Active(tt.at); got != tt.want {
			t.Errorf("Active(%v) = %v, want %v", tt.at, got, tt.want)
		}
	}
	if !(&aisle.Rule{}).Active(t0) {
		t.Error("a rule without a window is not active")
	}
}

func TestRuleNormalize(t *testing.T) {
	r := aisle.Rule{Name: "x", Action: aisle.RuleBury, Match: aisle.RuleMatch{Brands: []string{" Acme "}, Categories: []string{"Pens\t"}, Attributes: map[string]string{"color": " red "}}}
	r.Normalize()
	want := aisle.Rule{Name: "x", Action: aisle.RuleBury, Strength: aisle.DefaultRuleStrength, Match: aisle.RuleMatch{Brands: []string{"Acme"}, Categories: []string{"Pens"}, Attributes: map[string]string{"color": "red"}}}
	if diff := cmp.Diff(r, want); diff != "" {
		t.Errorf("(-got +want):\n%s", diff)
	}
}

// FuzzRule decodes rules from JSON as the API does, strictly: a rule
// ValidateRule accepts survives a JSON round trip still valid and equal,
// and compiles for serving; one it refuses is EINVALID naming a field.
func FuzzRule(f *testing.F) {
	for _, s := range []string{
		`{"name":"sale","action":"pin","position":1,"match":{"items":["a","b"]}}`,
		`{"name":"b","action":"boost","strength":3,"match":{"brands":["Acme"],"categories":["Pens"],"attributes":{"color":"red"},"min_price":1,"max_price":9.5}}`,
		`{"name":"x","action":"block","match":{"categories":["Printers"]},"starts_at":"2026-12-01T00:00:00Z","ends_at":"2026-12-31T00:00:00Z"}`,
		`{"name":"y","action":"bury","match":{}}`,
		`{"name":" ","action":"pin","position":0,"match":{"items":[""]}}`,
		`{"name":"z","action":"block","match":{"max_price":-1}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var r aisle.Rule
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if dec.Decode(&r) != nil {
			return
		}
		r.Normalize()
		if err := aisle.ValidateRule(&r); err != nil {
			if aisle.ErrorCode(err) != aisle.EINVALID || aisle.ErrorField(err) == "" {
				t.Fatalf("ValidateRule error %v: want EINVALID naming a field", err)
			}
			return
		}
		if r.Match.Empty() || !r.Action.Valid() {
			t.Fatalf("accepted %+v", r)
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var back aisle.Rule
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if err := aisle.ValidateRule(&back); err != nil {
			t.Fatalf("round trip of %s no longer valid: %v", b, err)
		}
		if diff := cmp.Diff(back, r, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
			t.Fatalf("round trip (-got +want):\n%s", diff)
		}
		if err := rules.New(nil).Set([]aisle.Rule{r}); err != nil {
			t.Fatalf("Set of a valid rule: %v", err)
		}
	})
}
