package rank_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a test leaves a goroutine behind (the workers
// tuning a blend stop).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
