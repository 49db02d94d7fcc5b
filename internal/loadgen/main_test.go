package loadgen_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a test leaves a goroutine behind (the load
// generator's workers stop when Run returns).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
