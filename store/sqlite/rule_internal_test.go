package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
)

// TestRulesSkipBadRows: a row that does not decode, or decodes to a rule
// that is not valid, is left out of Rules and named in its error, and
// Rule of it is an error rather than a broken rule.
func TestRulesSkipBadRows(t *testing.T) {
	ctx := context.Background()
	db := NewDB(filepath.Join(t.TempDir(), "aisle.db"), nil, Options{})
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, _, err := db.PutRule(ctx, aisle.Rule{Name: "good", Action: aisle.RuleBlock, Match: aisle.RuleMatch{Brands: []string{"Acme"}}}); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"not-json":   `{"action":`,
		"no-match":   `{"action":"block","match":{}}`,
		"bad-action": `{"action":"explode","match":{"brands":["x"]}}`,
	} {
		if _, err := db.write.ExecContext(ctx, `INSERT INTO rules (name, body, created_at, updated_at) VALUES (?, ?, 1, 1)`, name, body); err != nil {
			t.Fatal(err)
		}
	}
	rules, err := db.Rules(ctx)
	if err == nil || !strings.Contains(err.Error(), `"not-json"`) || !strings.Contains(err.Error(), `"bad-action"`) {
		t.Errorf("Rules err = %v, want the bad rows named", err)
	}
	if len(rules) != 1 || rules[0].Name != "good" {
		t.Errorf("Rules = %+v, want the good rule alone", rules)
	}
	if _, err := db.Rule(ctx, "no-match"); err == nil || aisle.ErrorCode(err) == aisle.ENOTFOUND {
		t.Errorf("Rule(bad row) err = %v, want an error other than not found", err)
	}
}
