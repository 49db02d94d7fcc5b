// Package demo is the scripting of aisle demo: the data directory it may
// wipe, and the example requests it prints once the server runs, each
// checked against that server first.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/aislehq/aisle"
)

// Marker is the file that marks a directory the demo created, so running
// the demo again may wipe it and nothing else.
const Marker = ".aisle-demo"

// FreshDir empties dir if the demo made it (it holds Marker), creates it
// with the marker, and refuses to touch a non-empty directory it did not
// make.
func FreshDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(dir, Marker)); err != nil {
			return fmt.Errorf("%s exists and was not made by the demo; choose another -data-dir", dir)
		}
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("clear old demo data: %w", err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, Marker), []byte("made by 'aisle demo'; the demo wipes this folder when it runs again\n"), 0o644)
}

// prober asks a running server whether requests give results.
type prober struct {
	ctx    context.Context
	client *http.Client
	base   string
}

// nonEmpty reports whether GET path answers 200 with at least one item.
func (p prober) nonEmpty(path string) bool {
	var body struct {
		Items []json.RawMessage `json:"items"`
	}
	return p.getJSON(path, &body) == nil && len(body.Items) > 0
}

// getJSON GETs path and decodes its JSON reply into out.
func (p prober) getJSON(path string, out any) error {
	req, err := http.NewRequestWithContext(p.ctx, http.MethodGet, p.base+path, nil)
	if err != nil {
		return err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", p.base+path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// PrintExamples finds ids that give real results on the server at base
// and prints curl lines for them on w; each was just checked against the
// server. photos is the clothing photo folder, whose photos make the
// search-by-photo example. It returns an error when too few examples give
// results.
func PrintExamples(ctx context.Context, w io.Writer, base, photos string) error {
	p := prober{ctx, &http.Client{Timeout: 5 * time.Second}, base}
	defer p.client.CloseIdleConnections()
	examples, err := recommendExamples(p)
	if err != nil {
		return err
	}
	text, err := textExamples(p)
	if err != nil {
		return err
	}
	examples = append(examples, text...)
	// Photos: a colour filter, an item similar by photo, a search by photo.
	examples = append(examples, "/v1/items?category=shoes&color=black&limit=3")
	var shoes struct {
		Items []aisle.Item `json:"items"`
	}
	if err := p.getJSON("/v1/items?category=shoes&limit=1", &shoes); err == nil && len(shoes.Items) == 1 {
		if path := "/v1/items/" + shoes.Items[0].ID + "/similar?n=5&mode=visual"; p.nonEmpty(path) {
			examples = append(examples, path)
		}
	}
	fmt.Fprintf(w, "\nAisle demo is running at %s\nTry:\n", base)
	for _, path := range examples {
		fmt.Fprintf(w, "  curl -s '%s%s'\n", base, path)
	}
	if abs, err := filepath.Abs(filepath.Join(photos, "validation", "shoes")); err == nil {
		if ents, err := os.ReadDir(abs); err == nil && len(ents) > 0 {
			fmt.Fprintf(w, "  curl -s -H 'Content-Type: image/jpeg' --data-binary @%s '%s/v1/search/image?n=5'\n", filepath.Join(abs, ents[0].Name()), base)
		}
	}
	fmt.Fprintf(w, "API description: %s/v1/openapi.json — press Ctrl-C to stop.\n", base)
	return nil
}

// recommendExamples returns a shopper's recommendations, an item's
// similar items and a new shopper's recommendations, each with results.
func recommendExamples(p prober) ([]string, error) {
	var examples []string
	for u := 0; u < 50 && len(examples) == 0; u++ {
		if path := fmt.Sprintf("/v1/recommend/%d?n=5", u); p.nonEmpty(path) {
			examples = append(examples, path)
		}
	}
	for i := 0; i < 50 && len(examples) < 2; i++ {
		if path := fmt.Sprintf("/v1/items/%d/similar?n=5", i); p.nonEmpty(path) {
			examples = append(examples, path)
		}
	}
	if path := "/v1/recommend/new-shopper?n=5&exclude=" + url.QueryEscape("0,1"); p.nonEmpty(path) {
		examples = append(examples, path)
	}
	if len(examples) < 3 {
		return nil, fmt.Errorf("found only %d example requests with results", len(examples))
	}
	return examples, nil
}

// textExamples returns one item similar by text and two searches
// (English, Chinese), each with results.
func textExamples(p prober) ([]string, error) {
	text := []string{"/v1/search?n=5&q=" + url.QueryEscape("black stapler"), "/v1/search?n=5&q=" + url.QueryEscape("订书机")}
	for i := range 50 {
		if path := fmt.Sprintf("/v1/items/%d/similar?n=5&mode=content", i); p.nonEmpty(path) {
			text = append([]string{path}, text...)
			break
		}
	}
	for _, path := range text {
		if !p.nonEmpty(path) {
			return nil, fmt.Errorf("demo example %s has no results", path)
		}
	}
	if len(text) < 3 {
		return nil, fmt.Errorf("no item has similar items by text")
	}
	return text, nil
}
