package vector_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a test leaves a goroutine behind (the workers
// building an HNSW graph or running a benchmark stop).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
