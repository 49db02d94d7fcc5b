package candidate_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a test leaves a goroutine behind (the workers
// training a model stop).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
