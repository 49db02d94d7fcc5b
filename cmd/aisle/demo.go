package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/importer"
	"github.com/aislehq/aisle/model/train"
	"github.com/aislehq/aisle/store/sqlite"
)

// demoMarker marks a directory the demo created, so re-running the demo
// may wipe it and nothing else.
const demoMarker = ".aisle-demo"

// runDemo imports the sample datasets into a fresh data directory, trains
// the models, serves the API and prints example requests.
func runDemo(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
	cfg := DefaultConfig()
	cfg.DataDir = "./aisle-demo"
	cfg.Store.Synchronous = sqlite.SyncNormal // a demo store: a crash can only lose the last commits
	data := fs.String("data", "../shared/data", "`folder` holding the sample datasets (amazon-office, clothing-images)")
	bindStore(fs, &cfg)
	bindHTTP(fs, &cfg)
	bindEngine(fs, &cfg)
	bindPhotos(fs, &cfg)
	bindLog(fs, &cfg)
	logger, err := parseFlags(e, fs, &cfg, "aisle demo [-addr HOST:PORT] [-data DIR] [-data-dir DIR]", args)
	if err != nil {
		return err
	}
	sources := []struct{ dir, format string }{
		{filepath.Join(*data, "amazon-office"), "lcrec"},
		{filepath.Join(*data, "clothing-images"), "images"},
	}
	for _, s := range sources {
		if _, err := os.Stat(s.dir); err != nil {
			return fmt.Errorf("sample data not found: %w (set -data to the folder holding amazon-office and clothing-images)", err)
		}
	}
	if err := freshDemoDir(cfg.DataDir); err != nil {
		return err
	}
	db, voc, err := cfg.openStoreVocabulary(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, s := range sources {
		fmt.Fprintf(e.stdout, "Importing %s (%s)...\n", s.dir, s.format)
		sum, err := importer.Run(ctx, db, s.dir, importer.Options{Format: s.format, Progress: e.stderr, Logger: logger})
		if err != nil {
			return err
		}
		fmt.Fprint(e.stdout, sum.String())
	}
	if err := learnVocabulary(ctx, e, db, voc); err != nil {
		return err
	}
	if err := readPhotosAndTrain(ctx, e, cfg.filesUnder(*data), db, logger); err != nil {
		return err
	}
	return serve(ctx, e, cfg, db, logger, func(base string) {
		if err := printExamples(ctx, e.stdout, base, sources[1].dir); err != nil {
			logger.Error("demo examples", "err", err)
		}
	})
}

// readPhotosAndTrain reads the imported photos, then trains the photo
// classifier and the models; the image model is closed before serving
// opens its own.
func readPhotosAndTrain(ctx context.Context, e *env, cfg Config, db *sqlite.DB, logger *slog.Logger) error {
	ph, err := cfg.openPhotos(ctx, db, logger)
	if err != nil {
		return err
	}
	defer ph.close()
	if err := readPendingPhotos(ctx, e, ph.reader, db); err != nil {
		return err
	}
	return trainAndSave(ctx, e, db, ph.reader, filepath.Join(cfg.DataDir, "models"), train.Config{Seed: 1, Progress: trainProgress(e.stderr)}, logger)
}

// freshDemoDir empties dir if the demo made it, creates it with the
// marker, and refuses to touch a non-empty directory it did not make.
func freshDemoDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(dir, demoMarker)); err != nil {
			return fmt.Errorf("%s exists and was not made by the demo; choose another -data-dir", dir)
		}
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("clear old demo data: %w", err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, demoMarker), []byte("made by 'aisle demo'; the demo wipes this folder when it runs again\n"), 0o644)
}

// printExamples finds ids that give real results and prints curl lines
// for them; each was just checked against the running server. photos is
// the clothing photo folder, whose photos make the search-by-photo example.
func printExamples(ctx context.Context, w io.Writer, base, photos string) error {
	client := &http.Client{Timeout: 5 * time.Second}
	nonEmpty := func(path string) bool {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		resp, err := client.Do(req)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var body struct {
			Items []json.RawMessage `json:"items"`
		}
		return resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&body) == nil && len(body.Items) > 0
	}
	var examples []string
	for u := 0; u < 50 && len(examples) == 0; u++ {
		if p := fmt.Sprintf("/v1/recommend/%d?n=5", u); nonEmpty(p) {
			examples = append(examples, p)
		}
	}
	for i := 0; i < 50 && len(examples) < 2; i++ {
		if p := fmt.Sprintf("/v1/items/%d/similar?n=5", i); nonEmpty(p) {
			examples = append(examples, p)
		}
	}
	if p := "/v1/recommend/new-shopper?n=5&exclude=" + url.QueryEscape("0,1"); nonEmpty(p) {
		examples = append(examples, p)
	}
	if len(examples) < 3 {
		return fmt.Errorf("found only %d example requests with results", len(examples))
	}
	// One item similar by text, and two searches (English, Chinese).
	text := []string{"/v1/search?n=5&q=" + url.QueryEscape("black stapler"), "/v1/search?n=5&q=" + url.QueryEscape("订书机")}
	for i := range 50 {
		if p := fmt.Sprintf("/v1/items/%d/similar?n=5&mode=content", i); nonEmpty(p) {
			text = append([]string{p}, text...)
			break
		}
	}
	for _, p := range text {
		if !nonEmpty(p) {
			return fmt.Errorf("demo example %s has no results", p)
		}
	}
	if len(text) < 3 {
		return fmt.Errorf("no item has similar items by text")
	}
	examples = append(examples, text...)
	// Photos: a colour filter, an item similar by photo, a search by photo.
	examples = append(examples, "/v1/items?category=shoes&color=black&limit=3")
	var shoes struct {
		Items []aisle.Item `json:"items"`
	}
	if err := getJSON(ctx, client, base+"/v1/items?category=shoes&limit=1", &shoes); err == nil && len(shoes.Items) == 1 {
		if p := "/v1/items/" + shoes.Items[0].ID + "/similar?n=5&mode=visual"; nonEmpty(p) {
			examples = append(examples, p)
		}
	}
	fmt.Fprintf(w, "\nAisle demo is running at %s\nTry:\n", base)
	for _, p := range examples {
		fmt.Fprintf(w, "  curl -s '%s%s'\n", base, p)
	}
	if abs, err := filepath.Abs(filepath.Join(photos, "validation", "shoes")); err == nil {
		if ents, err := os.ReadDir(abs); err == nil && len(ents) > 0 {
			fmt.Fprintf(w, "  curl -s -H 'Content-Type: image/jpeg' --data-binary @%s '%s/v1/search/image?n=5'\n", filepath.Join(abs, ents[0].Name()), base)
		}
	}
	fmt.Fprintf(w, "API description: %s/v1/openapi.json — press Ctrl-C to stop.\n", base)
	return nil
}

// getJSON GETs u and decodes its JSON reply into out.
func getJSON(ctx context.Context, c *http.Client, u string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
