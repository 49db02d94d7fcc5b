package demo

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestDemoDirIsWipedOnlyIfTheDemoMadeIt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	if err := FreshDir(dir); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "aisle.db"), []byte("old"), 0o644)
	if err := FreshDir(dir); err != nil {
		t.Fatalf("re-run: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "aisle.db")); !os.IsNotExist(err) {
		t.Errorf("old demo data not wiped: %v", err)
	}
	mine := t.TempDir()
	os.WriteFile(filepath.Join(mine, "precious.txt"), []byte("keep"), 0o644)
	if err := FreshDir(mine); err == nil {
		t.Fatal("demo accepted a directory it did not make")
	}
	if _, err := os.Stat(filepath.Join(mine, "precious.txt")); err != nil {
		t.Fatalf("user file touched: %v", err)
	}
}

// demoServer answers the demo's probes: items for the paths in results,
// nothing for the others.
func demoServer(t *testing.T, results map[string]bool) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if results[r.URL.RequestURI()] || results[r.URL.Path] {
			w.Write([]byte(`{"items":[{"id":"7"}]}`))
			return
		}
		w.Write([]byte(`{"items":[]}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestPrintExamples(t *testing.T) {
	photos := t.TempDir()
	shoes := filepath.Join(photos, "validation", "shoes")
	os.MkdirAll(shoes, 0o755)
	os.WriteFile(filepath.Join(shoes, "a.jpg"), []byte("jpeg"), 0o644)
	works := map[string]bool{
		"/v1/recommend/3?n=5": true, "/v1/items/0/similar?n=5": true, "/v1/recommend/new-shopper?n=5&exclude=0%2C1": true,
		"/v1/search": true, "/v1/items/4/similar?n=5&mode=content": true, "/v1/items": true, "/v1/items/7/similar?n=5&mode=visual": true,
	}
	srv := demoServer(t, works)
	var out bytes.Buffer
	if err := PrintExamples(context.Background(), &out, srv.URL, photos); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Aisle demo is running at " + srv.URL,
		"curl -s '" + srv.URL + "/v1/recommend/3?n=5'",
		"curl -s '" + srv.URL + "/v1/items/0/similar?n=5'",
		"/v1/recommend/new-shopper?n=5&exclude=0%2C1'",
		"/v1/items/4/similar?n=5&mode=content'",
		"/v1/search?n=5&q=black+stapler'",
		"/v1/items?category=shoes&color=black&limit=3'",
		"/v1/items/7/similar?n=5&mode=visual'",
		"--data-binary @" + filepath.Join(shoes, "a.jpg"),
		"API description: " + srv.URL + "/v1/openapi.json",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("examples lack %q:\n%s", want, out.String())
		}
	}
}

func TestPrintExamplesNeedsResults(t *testing.T) {
	srv := demoServer(t, map[string]bool{"/v1/recommend/0?n=5": true})
	var out bytes.Buffer
	err := PrintExamples(context.Background(), &out, srv.URL, t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "found only 1 example requests") {
		t.Errorf("got %v, want an error saying too few examples", err)
	}
	if out.Len() > 0 {
		t.Errorf("printed examples although they fail:\n%s", out.String())
	}
}
