package storetest

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/google/go-cmp/cmp"
)

// Extract is the attribute extractor the contract's stores must use: a
// deterministic stand-in for package extract. It reads the brand, the
// lower-cased "color" and "material" attributes and the title's words.
func Extract(it *aisle.Item) *aisle.Extracted {
	ex := &aisle.Extracted{Brand: it.Brand, Tags: strings.Fields(strings.ToLower(it.Title))}
	if c := it.Attributes["color"]; c != "" {
		ex.Colors = []string{strings.ToLower(c)}
	}
	if m := it.Attributes["material"]; m != "" {
		ex.Materials = []string{strings.ToLower(m)}
	}
	if len(it.Categories) > 0 {
		ex.Category = slices.Clone(it.Categories)
	}
	return ex
}

func testExtracted(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	it := aisle.Item{ID: "x1", Title: "Steel Ruler", Brand: "Acme", Categories: []string{"Office", "Rulers"},
		Attributes: map[string]string{"color": "Silver", "material": "Steel"},
		// Sent by a client: replaced by the store's own extraction.
		Extracted: &aisle.Extracted{Colors: []string{"forged"}, PackSize: 99}}
	batch := []aisle.Item{it}
	if _, err := s.UpsertItems(ctx, batch); err != nil {
		t.Fatalf("UpsertItems: %v", err)
	}
	want := Extract(&it)
	if diff := cmp.Diff(want, batch[0].Extracted); diff != "" {
		t.Errorf("UpsertItems left Extracted on its argument (-want +got):\n%s", diff)
	}
	got, err := s.Item(ctx, "x1")
	if err != nil {
		t.Fatalf("Item: %v", err)
	}
	if diff := cmp.Diff(want, got.Extracted); diff != "" {
		t.Errorf("Item(x1).Extracted (-want +got):\n%s", diff)
	}
	m, err := s.Items(ctx, []string{"x1"})
	if err != nil {
		t.Fatalf("Items: %v", err)
	}
	if diff := cmp.Diff(want, m["x1"].Extracted); diff != "" {
		t.Errorf("Items[x1].Extracted (-want +got):\n%s", diff)
	}
	page, err := s.ListItems(ctx, aisle.ItemFilter{})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("ListItems = %v, %v", page, err)
	}
	if diff := cmp.Diff(want, page.Items[0].Extracted); diff != "" {
		t.Errorf("ListItems Extracted (-want +got):\n%s", diff)
	}

	// The same item again, with another client-sent value: unchanged.
	again := it
	again.Extracted = &aisle.Extracted{Tags: []string{"other"}}
	st, err := s.UpsertItems(ctx, []aisle.Item{again})
	if err != nil || st != (aisle.UpsertStats{Unchanged: 1}) {
		t.Errorf("repeat upsert: stats %+v err %v, want 1 unchanged", st, err)
	}
	// A change that only the extracted attributes see is an update.
	recolored := it
	recolored.Attributes = map[string]string{"color": "Gold", "material": "Steel"}
	st, err = s.UpsertItems(ctx, []aisle.Item{recolored})
	if err != nil || st != (aisle.UpsertStats{Updated: 1}) {
		t.Fatalf("recolour: stats %+v err %v, want 1 updated", st, err)
	}
	got, _ = s.Item(ctx, "x1")
	if got.Extracted == nil || !slices.Equal(got.Extracted.Colors, []string{"gold"}) {
		t.Errorf("colours after update = %+v", got.Extracted)
	}
}

func testItemVectors(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	vs, ok := s.(aisle.VectorStore)
	if !ok {
		t.Skip("store keeps no item vectors")
	}
	if _, err := s.UpsertItems(ctx, sampleItems()); err != nil {
		t.Fatal(err)
	}
	all := func(encoder string) []aisle.ItemVector {
		t.Helper()
		var out []aisle.ItemVector
		for v, err := range vs.ItemVectors(ctx, encoder) {
			if err != nil {
				t.Fatalf("ItemVectors(%s): %v", encoder, err)
			}
			out = append(out, v)
		}
		return out
	}
	p1 := sampleItems()[0]
	a := []aisle.ItemVector{
		{Item: "p2", TextHash: 1<<63 + 7, Vector: []float32{0.6, -0.8}},
		{Item: "p1", TextHash: aisle.TextHash(p1.Text()), Vector: []float32{1, 0}},
	}
	if err := vs.PutItemVectors(ctx, "ngram:1", a); err != nil {
		t.Fatalf("PutItemVectors: %v", err)
	}
	if err := vs.PutItemVectors(ctx, "openai:m", []aisle.ItemVector{{Item: "p1", TextHash: 3, Vector: []float32{0, 0, 1}}}); err != nil {
		t.Fatalf("PutItemVectors: %v", err)
	}
	if diff := cmp.Diff([]aisle.ItemVector{a[1], a[0]}, all("ngram:1")); diff != "" {
		t.Errorf("ngram vectors, in item order (-want +got):\n%s", diff)
	}

	// Replacing one vector leaves the others.
	repl := aisle.ItemVector{Item: "p2", TextHash: 9, Vector: []float32{0, 1}}
	if err := vs.PutItemVectors(ctx, "ngram:1", []aisle.ItemVector{repl}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]aisle.ItemVector{a[1], repl}, all("ngram:1")); diff != "" {
		t.Errorf("after replacing p2 (-want +got):\n%s", diff)
	}

	// A bad batch writes nothing.
	bad := []struct {
		name  string
		batch []aisle.ItemVector
		code  string
		field string
	}{
		{"unknown item", []aisle.ItemVector{{Item: "p1", Vector: []float32{5, 5}}, {Item: "nope", Vector: []float32{1, 1}}}, aisle.ENOTFOUND, "vectors[1].item"},
		{"empty vector", []aisle.ItemVector{{Item: "p1"}}, aisle.EINVALID, "vectors[0].vector"},
		{"not finite", []aisle.ItemVector{{Item: "p1", Vector: []float32{float32(math.Inf(1))}}}, aisle.EINVALID, "vectors[0].vector"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, vs.PutItemVectors(ctx, "ngram:1", tt.batch), tt.code, tt.field)
			if diff := cmp.Diff([]aisle.ItemVector{a[1], repl}, all("ngram:1")); diff != "" {
				t.Errorf("bad batch changed vectors (-want +got):\n%s", diff)
			}
		})
	}
	wantCode(t, vs.PutItemVectors(ctx, "", a), aisle.EINVALID, "encoder")

	// Stopping early is fine.
	for range vs.ItemVectors(ctx, "ngram:1") {
		break
	}

	// Deleting an item deletes its vectors, for every encoder.
	if err := s.DeleteItem(ctx, "p1"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]aisle.ItemVector{repl}, all("ngram:1")); diff != "" {
		t.Errorf("after deleting p1 (-want +got):\n%s", diff)
	}
	if got := all("openai:m"); len(got) != 0 {
		t.Errorf("openai vectors of deleted p1 kept: %v", got)
	}

	// Dropping an encoder leaves the others.
	if err := vs.PutItemVectors(ctx, "openai:m", []aisle.ItemVector{{Item: "p2", TextHash: 3, Vector: []float32{1}}}); err != nil {
		t.Fatal(err)
	}
	if err := vs.DeleteItemVectors(ctx, "ngram:1"); err != nil {
		t.Fatal(err)
	}
	if got := all("ngram:1"); len(got) != 0 {
		t.Errorf("dropped encoder still has %v", got)
	}
	if got := all("openai:m"); len(got) != 1 {
		t.Errorf("other encoder's vectors = %v, want 1", got)
	}
	if err := vs.DeleteItemVectors(ctx, "never"); err != nil {
		t.Errorf("dropping an encoder without vectors: %v", err)
	}
}
