package qa_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/qa"
)

// BenchmarkAsk measures Ask at 8 concurrent callers on real data and
// reports the median and 99th-percentile latencies: a fact question about
// an Office item, a question answered from the item's own Appliances Q&A,
// and one about an item without Q&A, answered from that of 5 similar
// items (the default) (questions in memory: the store's time is not counted).
func BenchmarkAsk(b *testing.B) {
	pencils := officeItem(b, "103")
	m := appliancesQA(b)
	var others []string
	for it := range m {
		if it != "B00004U9JP" {
			others = append(others, it)
		}
	}
	slices.Sort(others)
	sim := similarTo{"B00004U9JP": others[:5], "no-questions": others[:5]}
	bare := aisle.Item{ID: "no-questions", Title: "Garbage disposal"}
	disposal := aisle.Item{ID: "B00004U9JP", Title: "InSinkErator Badger 1"}
	a := qa.New(m, sim, qa.Options{})
	for _, bc := range []struct {
		name     string
		item     *aisle.Item
		question string
	}{
		{"fact", &pencils, "What colour is it?"},
		{"stored Q&A", &disposal, "Does it come with a power cord?"},
		{"similar items' Q&A", &bare, "Does it come with a power cord?"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			const clients = 8
			var (
				mu   sync.Mutex
				lats []time.Duration
			)
			var wg sync.WaitGroup
			for c := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var mine []time.Duration
					for i := c; i < b.N; i += clients {
						st := time.Now()
						if _, err := a.Ask(context.Background(), bc.item, bc.question, ""); err != nil {
							b.Error(err)
							return
						}
						mine = append(mine, time.Since(st))
					}
					mu.Lock()
					lats = append(lats, mine...)
					mu.Unlock()
				}()
			}
			wg.Wait()
			slices.Sort(lats)
			if len(lats) > 0 {
				b.ReportMetric(float64(lats[len(lats)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(lats[len(lats)*99/100].Microseconds())/1000, "p99-ms")
			}
		})
	}
}
