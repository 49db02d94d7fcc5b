package search_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a test leaves a goroutine behind (the
// background refresh of a Live index stops at Close).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
