package serve

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/aislehq/aisle"
	aislehttp "github.com/aislehq/aisle/http"
	"github.com/aislehq/aisle/image/visual"
	"github.com/aislehq/aisle/recommend"
	"github.com/aislehq/aisle/search"
	"github.com/aislehq/aisle/store/imagestore"
	"github.com/aislehq/aisle/store/sqlite"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testParts returns the parts of a server over a new store holding a few
// items, with no image model.
func testParts(t *testing.T) Parts {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db := sqlite.NewDB(filepath.Join(dir, "aisle.db"), nil, sqlite.Options{Synchronous: sqlite.SyncNormal})
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.UpsertItems(ctx, []aisle.Item{{ID: "a", Title: "Black stapler"}, {ID: "b", Title: "Red pen"}}); err != nil {
		t.Fatal(err)
	}
	originals := imagestore.New(filepath.Join(dir, "images"))
	ph, err := visual.Open(ctx, visual.Models{}, visual.Deps{Originals: originals, Store: db}, visual.Config{}, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ph.Close() })
	return Parts{Store: db, Photos: ph, Originals: originals}
}

func testConfig(t *testing.T) Config {
	cfg := Config{HTTP: aislehttp.DefaultConfig(), Engine: recommend.DefaultConfig(), Search: search.LiveConfig{}}
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.Engine.ModelDir = filepath.Join(t.TempDir(), "models")
	return cfg
}

func get(t *testing.T, url string) string {
	t.Helper()
	client := &http.Client{}
	defer client.CloseIdleConnections()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return string(b)
}

func TestRunServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	urls := make(chan string, 1)
	done := make(chan error, 1)
	p, cfg := testParts(t), testConfig(t)
	go func() { done <- Run(ctx, p, cfg, nil, func(u string) { urls <- u }) }()
	var base string
	select {
	case base = <-urls:
	case err := <-done:
		t.Fatalf("Run returned before serving: %v", err)
	}
	get(t, base+"/healthz")
	if body := get(t, base+"/v1/search?q=stapler"); !strings.Contains(body, `"a"`) {
		t.Errorf("search for stapler: %s", body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v after cancel", err)
	}
}

func TestRunReportsABadAddress(t *testing.T) {
	cfg := testConfig(t)
	cfg.HTTP.Addr = "127.0.0.1:notaport"
	if err := Run(context.Background(), testParts(t), cfg, nil, func(string) { t.Error("started on a bad address") }); err == nil {
		t.Error("Run served on a bad address")
	}
}
