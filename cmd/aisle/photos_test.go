package main

import (
	"context"
	"encoding/csv"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/onnx"
)

// clothing is one real labelled photo.
type clothing struct{ path, split, label string }

// clothingPhotos returns up to perClass photos of each class and split,
// skipping the test when the photos, the model or ONNX Runtime are absent.
func clothingPhotos(t *testing.T, perClass int) []clothing {
	t.Helper()
	f, err := os.Open(filepath.Join(clothingImages, "labels.csv"))
	if err != nil {
		t.Skipf("real clothing photos not found: %v", err)
	}
	defer f.Close()
	if _, err := os.Stat(filepath.Join(mobileNet, "model.onnx")); err != nil {
		t.Skipf("real MobileNet not found: %v", err)
	}
	if _, err := onnx.FindLibrary(""); err != nil {
		t.Skip(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	var out []clothing
	for _, r := range rows[1:] {
		key := r[1] + "/" + r[2]
		if count[key] < perClass {
			count[key]++
			abs, _ := filepath.Abs(filepath.Join(clothingImages, r[0]))
			out = append(out, clothing{abs, r[1], r[2]})
		}
	}
	return out
}

// postPhoto sends a JPEG photo's bytes to u and decodes the reply.
func postPhoto(t *testing.T, method, u string, data []byte, want int, out any) {
	t.Helper()
	send(t, method, u, "image/jpeg", data, want, out)
}

// TestServePhotos runs a real server with the real CNN over a catalog of
// real clothing photos referenced by path: the photos are read in the
// background, similar items by photo and search by photo find photos of
// the same class, uploads are read at once, and photos that cannot be had
// say why.
func TestServePhotos(t *testing.T) {
	per := 30
	if testing.Short() {
		per = 10
	}
	photos := clothingPhotos(t, per)
	ctx := context.Background()
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.LogLevel = "error"
	cfg.Photos.Model = mobileNet
	cfg.Photos.Timeout = 2 * time.Second
	// Items name the photos by path: the server reads them only inside
	// its image folder.
	cfg.Photos.Files, cfg.Photos.Root = true, clothingImages
	db := openTestStore(t, &cfg)
	label := map[string]string{}
	var items []aisle.Item
	var queries []clothing
	for _, p := range photos {
		if p.split == "validation" {
			queries = append(queries, p)
			continue
		}
		id := strings.TrimSuffix(filepath.Base(p.path), ".jpg")
		label[id] = p.label
		items = append(items, aisle.Item{ID: id, Title: "Item " + id[:8], Categories: []string{"Clothing", p.label}, Images: []string{p.path}})
	}
	items = append(items,
		aisle.Item{ID: "offline", Title: "Photo on a web server", Images: []string{"https://photos.invalid/dress.jpg"}},
		aisle.Item{ID: "missing", Title: "Photo not there", Images: []string{"/nonexistent/dress.jpg"}},
	)
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	base := startServer(t, cfg, db)

	// The background worker reads every photo.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		pending, err := db.ItemsWithoutVisual(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(pending) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d+ photos still unread", len(pending))
		}
		time.Sleep(100 * time.Millisecond)
	}
	for id, want := range map[string]string{"offline": `"https://photos.invalid/dress.jpg": could not fetch the photo`, "missing": "file paths outside the image folder are not read"} {
		var it aisle.Item
		call(t, "GET", base+"/v1/items/"+id, "", http.StatusOK, &it)
		if it.Visual == nil || !strings.Contains(it.Visual.Error, want) {
			t.Errorf("%s: visual %+v, want an error naming %q", id, it.Visual, want)
		}
	}
	var first aisle.Item
	call(t, "GET", base+"/v1/items/"+items[0].ID, "", http.StatusOK, &first)
	if v := first.Visual; v == nil || v.Error != "" || v.Format != "jpeg" || len(v.Colors) == 0 || len(v.Labels) == 0 {
		t.Fatalf("visual %+v", first.Visual)
	}

	// Similar items by photo: most neighbours share the item's class.
	waitFor(t, func() bool {
		var r recommendations
		call(t, "GET", base+"/v1/items/"+items[0].ID+"/similar?mode=visual&n=5", "", http.StatusOK, &r)
		return len(r.Items) == 5
	})
	same, total := 0, 0
	for _, it := range items[:len(items)-2] {
		var r recommendations
		call(t, "GET", base+"/v1/items/"+it.ID+"/similar?mode=visual&n=5", "", http.StatusOK, &r)
		for _, rec := range r.Items {
			total++
			if label[rec.Item] == label[it.ID] {
				same++
			}
			if rec.Item == it.ID || len(rec.Models) != 1 || rec.Models[0] != "visual" {
				t.Fatalf("similar to %s: %+v", it.ID, rec)
			}
		}
	}
	// Chance is 0.1 (ten classes of equal size).
	if p := float64(same) / float64(total); p < 0.4 {
		t.Errorf("similar by photo: %.2f of neighbours share the class, want ≥ 0.4", p)
	}

	// Search by photo with held-out photos; a category filter keeps to it.
	type hits struct {
		Items []struct {
			ID      string   `json:"id"`
			Sources []string `json:"sources"`
		} `json:"items"`
	}
	waitFor(t, func() bool {
		data, _ := os.ReadFile(queries[0].path)
		var h hits
		postPhoto(t, "POST", base+"/v1/search/image?n=5", data, http.StatusOK, &h)
		return len(h.Items) == 5
	})
	same, total = 0, 0
	for _, q := range queries {
		data, err := os.ReadFile(q.path)
		if err != nil {
			t.Fatal(err)
		}
		var h hits
		postPhoto(t, "POST", base+"/v1/search/image?n=5", data, http.StatusOK, &h)
		for _, it := range h.Items {
			total++
			if label[it.ID] == q.label {
				same++
			}
		}
	}
	if p := float64(same) / float64(total); p < 0.4 {
		t.Errorf("search by photo: precision@5 %.2f over %d held-out photos, want ≥ 0.4", p, len(queries))
	}
	data, _ := os.ReadFile(queries[0].path)
	var h hits
	postPhoto(t, "POST", base+"/v1/search/image?n=5&category=shoes", data, http.StatusOK, &h)
	for _, it := range h.Items {
		if label[it.ID] != "shoes" {
			t.Errorf("category=shoes found a %s", label[it.ID])
		}
	}
	postPhoto(t, "POST", base+"/v1/search/image", []byte("<html>not a photo</html>"), http.StatusBadRequest, nil)

	// An upload replaces the first photo and is read at once.
	var up aisle.Item
	postPhoto(t, "PUT", base+"/v1/items/missing/image", data, http.StatusOK, &up)
	if up.Visual == nil || up.Visual.Error != "" || !strings.HasPrefix(up.Images[0], aisle.UploadRefPrefix) || up.Images[1] != "/nonexistent/dress.jpg" {
		t.Fatalf("uploaded: images %v visual %+v", up.Images, up.Visual)
	}
	var page struct {
		Items []aisle.Item `json:"items"`
	}
	call(t, "GET", base+"/v1/items?color="+up.Visual.Colors[0]+"&limit=1000", "", http.StatusOK, &page)
	found := false
	for _, it := range page.Items {
		found = found || it.ID == "missing"
	}
	if !found {
		t.Errorf("color=%s does not list the uploaded photo's item", up.Visual.Colors[0])
	}
}

// waitFor polls ok until it holds, for at most a minute.
func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !ok(); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}
