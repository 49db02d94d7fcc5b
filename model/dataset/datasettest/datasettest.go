// Package datasettest gives tests the real datasets as model/dataset sees
// them, read from ../shared/data beside the repository.
package datasettest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/model/dataset"
)

// SharedData returns the folder of the shared datasets: ../shared/data
// beside the repository that holds the working directory. It skips tb when
// there is none.
func SharedData(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			data := filepath.Join(dir, "..", "shared", "data")
			if _, err := os.Stat(data); err != nil {
				tb.Skipf("shared data not present at %s", data)
			}
			return data
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Office reads the real Amazon Office interactions (LC-Rec JSON,
// Office.inter.json): users in numeric order, each one's items at times
// 0, 1, 2… seconds, as purchases. It skips tb when the data is absent.
func Office(tb testing.TB) *dataset.Dataset {
	tb.Helper()
	path := filepath.Join(SharedData(tb), "amazon-office", "Office.inter.json")
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Skipf("Office data not present: %v", err)
	}
	var seqs map[string][]int
	if err := json.Unmarshal(b, &seqs); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	users := make([]string, 0, len(seqs))
	for u := range seqs {
		users = append(users, u)
	}
	slices.SortFunc(users, func(a, b string) int {
		x, _ := strconv.Atoi(a)
		y, _ := strconv.Atoi(b)
		return x - y
	})
	var evs []aisle.Event
	for _, u := range users {
		for k, it := range seqs[u] {
			evs = append(evs, aisle.Event{User: u, Item: strconv.Itoa(it), Type: aisle.EventPurchase, Time: time.Unix(int64(k), 0), Seq: int64(len(evs) + 1)})
		}
	}
	d, err := dataset.FromSlice(evs, dataset.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return d
}
