package llamacpp

import (
	"context"
	"testing"

	"github.com/aislehq/aisle/internal/ggufgen"
	"github.com/aislehq/aisle/openai"
)

// BenchmarkComplete generates 64 tokens greedily with the generated tiny
// model (2 layers, 32 wide, 345-token vocabulary) on 2 threads: the cost
// of llama.cpp's per-token work and of this package around it, not of a
// real model's arithmetic. It reports tokens/s of the whole completion
// (prompt evaluation included) and of the generated tokens alone.
func BenchmarkComplete(b *testing.B) {
	for _, threads := range []int{1, 2} {
		b.Run(map[int]string{1: "threads=1", 2: "threads=2"}[threads], func(b *testing.B) {
			m := openModel(b, ggufgen.DefaultConfig(), Options{Threads: threads, ContextSize: 128})
			opts := openai.ChatOptions{MaxTokens: 64, Temperature: ptr(0.0)}
			ctx := context.Background()
			tokens := 0
			b.ReportAllocs()
			for b.Loop() {
				_, n, err := m.complete(ctx, hello, opts)
				if err != nil {
					b.Fatal(err)
				}
				tokens += n
			}
			b.ReportMetric(float64(tokens)/b.Elapsed().Seconds(), "tokens/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(tokens), "ns/token")
		})
	}
}
