package visual

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a test leaves a goroutine behind (the fetch
// and decode workers of a read and the background Worker stop).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
