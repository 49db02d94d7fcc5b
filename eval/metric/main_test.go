package metric_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a test leaves a goroutine behind (the workers
// scoring a model stop).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
